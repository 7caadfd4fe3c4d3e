"""Customs verification: is this shipment covered by a valid consent?"""
