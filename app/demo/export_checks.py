"""Demo used-product export checks, moved through the real workflow: a draft whose rule check
finds bulk loading, a submitted check, a confirmed one with its certificate, a partly confirmed
one (a refused line waiting for its Basel notification), one not confirmed and one back under
review after an inspection with its findings per line."""

from __future__ import annotations

import base64
from datetime import timedelta

from app.cases import runner
from app.cases.uploads import Upload
from app.export_checks import inspection, operations
from app.timeutil import today_in_japan

#: a 1×1 PNG, standing in for an inspector's photo
PHOTO = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42"
                         "mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

REQUEST = {
    "destination_country": "VN", "buyer_name": "Saigon Second-hand Trading Co.",
    "buyer_address": "12 Le Loi, District 1, Ho Chi Minh City", "port_of_loading": "Yokohama",
    "container_no": "MSCU1234565", "loading_method": "palletised",
    "age_appearance_note": "Photos of every pallet; no cracked screens or missing parts.",
    "working_condition_note": "Power-on and function test of each unit by the exporter.",
    "packaging_note": "Each unit in its own carton, strapped on pallets.",
    "trade_document_ref": "INV-2026-0117",
    "market_note": "The buyer sells through 40 second-hand shops in southern Vietnam.",
}


def _check(user, lines, **changes):
    case = operations.create_draft(user)
    today = today_in_japan()
    request = {**REQUEST, "planned_shipment_date": (today + timedelta(days=25)).isoformat(),
               **changes}
    case = operations.save_request(case.id, request, user, case.version)
    rows = []
    for seq, (product_type, model, age, quantity) in enumerate(lines, start=1):
        case = operations.add_line(case.id, {"product_type": product_type, "model": model,
                                             "year": str(today.year - age),
                                             "quantity": str(quantity)}, user, case.version)
        rows += [f"{seq},{model}-{n:03d},yes,passed,B" for n in range(1, quantity + 1)]
    csv = "line,serial,power_on,function_test,cosmetic_grade\n" + "\n".join(rows) + "\n"
    return operations.upload_units(case.id, csv.encode(), user, case.version)


def _decide(case, moe, decisions: dict[int, tuple[str, str]]):
    for seq, (decision, reason) in decisions.items():
        case = operations.decide_line(case.id, seq, {"decision": decision, "reason": reason},
                                      moe, case.version)
    return case


def load_export_checks(exporter, moe) -> None:
    today = today_in_japan()
    valid_until = (today + timedelta(days=60)).isoformat()
    _check(exporter, [("TV_FLAT", "KJ-43X", 3, 4)], loading_method="bulk")

    submitted = _check(exporter, [("PC_LAPTOP", "X1C", 2, 6)])
    runner.fire(submitted.id, "submit", actor=exporter)

    confirmed = _check(exporter, [("REFRIGERATOR", "NR-F50", 4, 3)])
    runner.fire(confirmed.id, "submit", actor=exporter)
    runner.fire(confirmed.id, "start_review", actor=moe)
    _decide(confirmed, moe, {1: ("accepted", "")})
    runner.fire(confirmed.id, "confirm", actor=moe, payload={"valid_until": valid_until})

    partly = _check(exporter, [("PC_LAPTOP", "T480", 3, 2), ("TV_CRT", "KV-21", 14, 2)])
    runner.fire(partly.id, "submit", actor=exporter)
    runner.fire(partly.id, "start_review", actor=moe)
    _decide(partly, moe, {1: ("accepted", ""),
                          2: ("refused", "CRT televisions older than the age limit.")})
    runner.fire(partly.id, "confirm_partly", actor=moe, payload={"valid_until": valid_until})

    refused = _check(exporter, [("BATTERY_LEAD_ACID", "55B24L", 1, 5)])
    runner.fire(refused.id, "submit", actor=exporter)
    runner.fire(refused.id, "start_review", actor=moe)
    _decide(refused, moe, {1: ("refused", "Used lead-acid batteries are processed in Japan.")})
    runner.fire(refused.id, "refuse", actor=moe)

    _inspected(exporter, moe)


def _inspected(exporter, moe) -> None:
    """Inspected: a finding per line (one with a failing unit and a photo), back in review."""
    case = _check(exporter, [("MONITOR_LCD", "U2720Q", 3, 4), ("PRINTER", "MF644", 4, 2)])
    for event, actor in (("submit", exporter), ("start_review", moe),
                         ("order_inspection", moe)):
        runner.fire(case.id, event, actor=actor)
    inspection.record_finding(case.id, 1, {
        "units_inspected": "4", "units_failing": "1", "finding": "One panel with a cracked "
        "corner.", "photos": [Upload("line1-cracked-panel.png", "image/png", PHOTO)]}, moe, None)
    inspection.record_finding(case.id, 2, {"units_inspected": "2", "units_failing": "0"}, moe,
                              None)
    runner.fire(case.id, "record_inspection", actor=moe, payload={
        "inspected_on": today_in_japan().isoformat(), "inspector": "Yamada Taro (MOE)"})
