"""Scheduler jobs of the exchange: push queued messages to partners' endpoints."""

from .delivery import deliver_pending

JOBS = [("exchange.deliver", deliver_pending, ("EXCHANGE_DELIVERY_SECONDS", 30))]
