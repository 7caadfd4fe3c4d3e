"""The TMW 1.0 message schemas (xml_schemas/) and their examples, through app.exchange.schemas.

No database: these tests only read files.
"""

from __future__ import annotations

import copy
import shutil
import subprocess

import pytest
from lxml import etree

from app.exchange import schemas
from app.exchange.schemas import MESSAGE_TYPES, NAMESPACE, SCHEMA_DIR, validate, validator_for

EXAMPLES_DIR = SCHEMA_DIR / "examples"
XS = "http://www.w3.org/2001/XMLSchema"
DS = "http://www.w3.org/2000/09/xmldsig#"
T = f"{{{NAMESPACE}}}"
NS = {"t": NAMESPACE}

ALL = sorted(MESSAGE_TYPES)
#: shipment messages: their header must carry MovementSequence
MOVEMENT_MESSAGES = [
    "TMWMovementAnnouncementMessage",
    "TMWTransportStatementMessage",
    "TMWCertificateOfWasteReceiptMessage",
    "TMWCertificateOfWasteRecoveryDisposalMessage",
    "TMWTakeBackRequestMessage",
    "TMWTakeBackArrangementMessage",
]
#: messages that carry a quantity with a unit
QUANTITY_MESSAGES = [
    "TMWNotificationSubmissionMessage",
    "TMWMovementAnnouncementMessage",
    "TMWCertificateOfWasteReceiptMessage",
    "TMWNotificationAmendmentMessage",
]
REQUIRED_HEADER_FIELDS = [
    "MessageID",
    "CorrelationID",
    "SenderAuthority",
    "ReceiverAuthority",
    "IssueDateTime",
]


def example_path(root_name: str):
    return EXAMPLES_DIR / MESSAGE_TYPES[root_name].replace("-1.0.xsd", ".xml")


def parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.fromstring(data, parser)


def example(root_name: str) -> etree._Element:
    return parse(example_path(root_name).read_bytes())


def one(root: etree._Element, path: str) -> etree._Element:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return found[0]


def remove(root: etree._Element, path: str) -> etree._Element:
    node = one(root, path)
    node.getparent().remove(node)
    return root


def signature() -> etree._Element:
    """A placeholder ds:Signature: the schemas skip its content (xmlsec.verify checks it)."""
    sig = etree.Element(f"{{{DS}}}Signature", nsmap={"ds": DS})
    etree.SubElement(sig, f"{{{DS}}}SignedInfo")
    etree.SubElement(sig, f"{{{DS}}}SignatureValue").text = "AAAA"
    return sig


def assert_invalid(root: etree._Element) -> list[str]:
    errors = validate(root)
    assert errors, "expected the message to be refused"
    return errors


# --------------------------------------------------------------------------- files and examples


def test_every_message_type_has_a_schema_and_an_example():
    for root_name, file_name in MESSAGE_TYPES.items():
        assert (SCHEMA_DIR / file_name).is_file(), file_name
        assert example_path(root_name).is_file(), root_name
    examples = {p.name for p in EXAMPLES_DIR.glob("*.xml")}
    assert examples == {example_path(name).name for name in MESSAGE_TYPES}


@pytest.mark.parametrize("root_name", ALL)
def test_example_validates(root_name):
    root = example(root_name)
    assert root.tag == T + root_name
    assert validate(root) == []
    assert validate(root.getroottree()) == []
    assert validator_for(root_name).validate(root)


@pytest.mark.parametrize("root_name", ALL)
def test_schema_declares_only_its_root_in_the_versioned_namespace(root_name):
    xsd = etree.parse(str(SCHEMA_DIR / MESSAGE_TYPES[root_name])).getroot()
    assert xsd.get("targetNamespace") == NAMESPACE
    assert xsd.get("version") == "1.0"
    assert [e.get("name") for e in xsd.findall(f"{{{XS}}}element")] == [root_name]
    assert [i.get("schemaLocation") for i in xsd.findall(f"{{{XS}}}include")] == ["common-1.0.xsd"]
    assert xsd.findall(f"{{{XS}}}import") == []


def test_common_schema_declares_no_element():
    xsd = etree.parse(str(SCHEMA_DIR / "common-1.0.xsd")).getroot()
    assert xsd.get("targetNamespace") == NAMESPACE
    assert xsd.findall(f"{{{XS}}}element") == []
    assert xsd.findall(f"{{{XS}}}include") == []
    # the one import: the XML namespace (xml:lang on free texts), from the local xml.xsd
    assert [(i.get("namespace"), i.get("schemaLocation")) for i in xsd.findall(f"{{{XS}}}import")
            ] == [("http://www.w3.org/XML/1998/namespace", "xml.xsd")]


def test_validators_are_cached():
    assert validator_for("TMWErrorMessage") is validator_for("TMWErrorMessage")


def test_readme_lists_every_message():
    readme = (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    assert NAMESPACE in readme
    for root_name, file_name in MESSAGE_TYPES.items():
        assert root_name in readme and file_name in readme


@pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint is not installed")
@pytest.mark.parametrize("root_name", ALL)
def test_example_validates_with_xmllint(root_name):
    result = subprocess.run(
        [
            "xmllint",
            "--noout",
            "--nonet",
            "--schema",
            str(SCHEMA_DIR / MESSAGE_TYPES[root_name]),
            str(example_path(root_name)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- broken variants


@pytest.mark.parametrize("root_name", ALL)
@pytest.mark.parametrize("field", REQUIRED_HEADER_FIELDS)
def test_missing_header_field_fails(root_name, field):
    errors = assert_invalid(remove(example(root_name), f"t:Header/t:{field}"))
    assert any(field in e for e in errors)


@pytest.mark.parametrize("root_name", ALL)
def test_missing_header_fails(root_name):
    assert_invalid(remove(example(root_name), "t:Header"))


@pytest.mark.parametrize("root_name", [n for n in ALL if n != "TMWErrorMessage"])
def test_missing_notification_id_fails(root_name):
    assert_invalid(remove(example(root_name), "t:Header/t:NotificationID"))


def test_error_message_may_omit_notification_id():
    """An error may answer a message that could not be read at all."""
    root = remove(example("TMWErrorMessage"), "t:Header/t:NotificationID")
    remove(root, "t:ReceivedMessageID")
    assert validate(root) == []


@pytest.mark.parametrize("root_name", ALL)
def test_other_namespace_version_fails(root_name):
    data = example_path(root_name).read_bytes()
    other = data.replace(NAMESPACE.encode(), b"urn:jp:go:env:eproc:basel:tmw:2.0")
    assert other != data
    root = parse(other)
    errors = assert_invalid(root)
    assert "is not in namespace" in errors[0]
    assert not validator_for(root_name).validate(root)


@pytest.mark.parametrize("root_name", ALL)
def test_message_without_namespace_fails(root_name):
    root = example(root_name)
    for element in root.iter(etree.Element):
        element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(root)
    assert_invalid(root)
    assert not validator_for(root_name).validate(root)


@pytest.mark.parametrize("root_name", QUANTITY_MESSAGES)
@pytest.mark.parametrize("unit", ["kg", "T", "", "tonnes"])
def test_bad_quantity_unit_fails(root_name, unit):
    root = example(root_name)
    quantities = root.xpath("//*[@unit]")
    assert quantities
    quantities[0].set("unit", unit)
    errors = assert_invalid(root)
    assert any("unit" in e for e in errors)


def test_quantity_messages_are_the_ones_with_units():
    with_units = {name for name in ALL if example(name).xpath("//*[@unit]")}
    assert with_units == set(QUANTITY_MESSAGES)


@pytest.mark.parametrize("root_name", QUANTITY_MESSAGES)
@pytest.mark.parametrize("value", ["0", "0.000", "-1", "1.2345", "abc", ""])
def test_bad_quantity_value_fails(root_name, value):
    root = example(root_name)
    root.xpath("//*[@unit]")[0].text = value
    assert_invalid(root)


def test_quantity_without_unit_fails():
    root = example("TMWMovementAnnouncementMessage")
    del one(root, "t:ActualQuantity").attrib["unit"]
    assert_invalid(root)


@pytest.mark.parametrize("root_name", ALL)
@pytest.mark.parametrize(
    "value",
    [
        "2026-03-02T10:15:00",
        "2026-03-02",
        "2026-03-02 10:15:00Z",
        "2026-03-02T10:15+09:00",
        "2026-13-02T10:15:00Z",
    ],
)
def test_issue_date_time_without_zone_or_malformed_fails(root_name, value):
    root = example(root_name)
    one(root, "t:Header/t:IssueDateTime").text = value
    errors = assert_invalid(root)
    assert any("IssueDateTime" in e for e in errors)


@pytest.mark.parametrize(
    "value", ["2026-03-02T10:15:00Z", "2026-03-02T10:15:00.123-05:00", "2026-03-02T10:15:00+00:00"]
)
def test_issue_date_time_with_zone_passes(value):
    root = example("TMWNotificationAcknowledgementMessage")
    one(root, "t:Header/t:IssueDateTime").text = value
    assert validate(root) == []


@pytest.mark.parametrize("root_name", ALL)
def test_unknown_root_fails(root_name):
    root = example(root_name)
    root.tag = T + "TMWSomethingElseMessage"
    assert validate(root) == [
        f"line {root.sourceline}: unknown message type TMWSomethingElseMessage"
    ]
    with pytest.raises(schemas.UnknownMessageType):
        validator_for("TMWSomethingElseMessage")


@pytest.mark.parametrize("root_name", ALL)
def test_a_schema_accepts_only_its_own_root(root_name):
    other = next(n for n in ALL if n != root_name)
    assert not validator_for(other).validate(example(root_name))


def test_header_element_alone_is_not_a_message():
    header = one(example("TMWNotificationAcknowledgementMessage"), "t:Header")
    assert validate(header) == [f"line {header.sourceline}: unknown message type Header"]
    assert not validator_for("TMWNotificationAcknowledgementMessage").validate(
        copy.deepcopy(header)
    )


# --------------------------------------------------------------------------- signature slot


@pytest.mark.parametrize("root_name", ALL)
def test_appended_signature_validates(root_name):
    root = example(root_name)
    root.append(signature())
    assert validate(root) == []


@pytest.mark.parametrize("root_name", ALL)
def test_second_foreign_element_fails(root_name):
    root = example(root_name)
    root.append(signature())
    root.append(signature())
    assert_invalid(root)

    root = example(root_name)
    root.append(signature())
    etree.SubElement(root, "{urn:example:extension}Extra").text = "x"
    assert_invalid(root)


@pytest.mark.parametrize("root_name", ALL)
def test_non_dsig_foreign_element_fails(root_name):
    root = example(root_name)
    etree.SubElement(root, "{urn:example:extension}Extra")
    assert_invalid(root)


def test_signature_must_be_the_last_child():
    root = example("TMWNotificationAcknowledgementMessage")
    one(root, "t:Header").addnext(signature())
    assert_invalid(root)


# --------------------------------------------------------------------------- header rules


@pytest.mark.parametrize("root_name", MOVEMENT_MESSAGES)
def test_shipment_messages_require_movement_sequence(root_name):
    assert_invalid(remove(example(root_name), "t:Header/t:MovementSequence"))


def test_notification_level_cancellation_has_no_movement_sequence():
    root = remove(example("TMWCancellationMessage"), "t:Header/t:MovementSequence")
    one(root, "t:CancellationType").text = "withdrawal"
    assert validate(root) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("t:Header/t:MessageID", "not-a-uuid"),
        ("t:Header/t:MessageID", " 46314d21-2b29-411b-86ab-431f287ab4a1"),
        ("t:Header/t:CorrelationID", "46314d212b29411b86ab431f287ab4a1"),
        ("t:Header/t:SenderAuthority", "jp-moe"),
        ("t:Header/t:ReceiverAuthority", "U"),
        ("t:Header/t:ReceiverAuthority", "USA01 "),
        ("t:Header/t:NotificationID", "jp2026000001"),
        ("t:Header/t:NotificationID", "J2026"),
        ("t:Header/t:MovementSequence/t:Number", "0"),
        ("t:Header/t:MovementSequence/t:Total", "-6"),
        ("t:Header/t:MovementSequence/t:Total", "06"),
        ("t:ShipmentDate", "2026-04-20+09:00"),
        ("t:DueToTakeBack", "0"),
        ("t:Packages", "0"),
        ("t:Packaging", "10"),
    ],
)
def test_bad_values_in_announcement_fail(path, value):
    root = example("TMWMovementAnnouncementMessage")
    one(root, path).text = value
    assert_invalid(root)


def test_header_fields_in_wrong_order_fail():
    root = example("TMWNotificationAcknowledgementMessage")
    sender = one(root, "t:Header/t:SenderAuthority")
    one(root, "t:Header/t:ReceiverAuthority").addnext(sender)
    assert_invalid(root)


# --------------------------------------------------------------------------- notification content


@pytest.mark.parametrize(
    ("path", "scheme"),
    [
        ("t:Notification/t:Packaging[1]", "HS"),
        ("t:Notification/t:Waste/t:PhysicalCharacteristics", "PACKAGING"),
        ("t:Notification/t:Operation/t:Code", "BASEL_VIII"),
        ("t:Notification/t:Waste/t:Identification[1]", "PACKAGING"),
        ("t:Notification/t:Waste/t:Identification[1]", "EU_LOW"),
    ],
)
def test_code_in_the_wrong_scheme_fails(path, scheme):
    root = example("TMWNotificationSubmissionMessage")
    one(root, path).set("scheme", scheme)
    assert_invalid(root)


def test_code_without_scheme_fails():
    root = example("TMWNotificationSubmissionMessage")
    del one(root, "t:Notification/t:Waste/t:Identification[1]").attrib["scheme"]
    assert_invalid(root)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("t:Notification/t:NotificationType", "multiple"),
        ("t:Notification/t:PreConsented", "yes"),
        ("t:Notification/t:IntendedShipments", "0"),
        ("t:Notification/t:Period/t:FirstDeparture", "15/04/2026"),
        ("t:Notification/t:Operation/t:Code", "X4"),
        ("t:Notification/t:TransportMode[1]", "B"),
        ("t:Notification/t:Carrier/t:TransportMode", "road"),
        ("t:Notification/t:Exporter/t:CountryCode", "JPN"),
        ("t:Notification/t:Exporter/t:Email", "not an address"),
        ("t:Notification/t:Exporter/t:Name", "   "),
        ("t:Notification/t:Exporter/t:Name", "x" * 201),
        ("t:Notification/t:StatesConcerned/t:State[1]/t:Role", "origin"),
        ("t:Notification/t:StatesConcerned/t:State[2]/t:Sequence", "1"),
        ("t:Notification/t:Attachment/t:SHA256", "abc"),
        ("t:Notification/t:Attachment/t:Content", "not base64!"),
        ("t:Notification/t:Attachment/t:FileName", "../etc/passwd"),
        ("t:Notification/t:Declaration/t:DeclaredAt", "2026-02-20T15:42:10"),
    ],
)
def test_bad_values_in_notification_fail(path, value):
    root = example("TMWNotificationSubmissionMessage")
    one(root, path).text = value
    assert_invalid(root)


@pytest.mark.parametrize(
    "path",
    [
        "t:Notification/t:Exporter",
        "t:Notification/t:Importer",
        "t:Notification/t:Generator",
        "t:Notification/t:Facility",
        "t:Notification/t:Operation",
        "t:Notification/t:Waste",
        "t:Notification/t:StatesConcerned/t:State[2]",
        "t:Notification/t:Exporter/t:Address",
    ],
)
def test_missing_required_notification_part_fails(path):
    assert_invalid(remove(example("TMWNotificationSubmissionMessage"), path))


def test_a_notification_without_any_designation_fails():
    """The designation may come in two languages; with neither, the waste is not named."""
    root = example("TMWNotificationSubmissionMessage")
    designations = root.findall(f"{{{NAMESPACE}}}Notification/{{{NAMESPACE}}}Waste/"
                                f"{{{NAMESPACE}}}Designation")
    assert len(designations) == 2
    for node in designations:
        node.getparent().remove(node)
    assert_invalid(root)


@pytest.mark.parametrize(
    "path",
    [
        "t:Notification/t:Carrier",
        "t:Notification/t:Attachment",
        "t:Notification/t:Declaration",
        "t:Notification/t:Insurance",
        "t:Notification/t:CustomsOfficeExit",
        "t:Notification/t:Waste/t:Composition",
        "t:Notification/t:Exporter/t:RegistrationID",
    ],
)
def test_optional_notification_part_may_be_left_out(path):
    assert validate(remove(example("TMWNotificationSubmissionMessage"), path)) == []


def test_duplicate_code_in_notification_fails():
    root = example("TMWNotificationSubmissionMessage")
    code = one(root, "t:Notification/t:Waste/t:Identification[1]")
    code.addnext(copy.deepcopy(code))
    assert_invalid(root)


def test_transit_state_and_un_number_are_accepted():
    root = example("TMWNotificationSubmissionMessage")
    states = one(root, "t:Notification/t:StatesConcerned")
    transit = copy.deepcopy(states[1])
    one(transit, "t:Role").text = "transit"
    one(transit, "t:CountryCode").text = "CA"
    one(transit, "t:AuthorityCode").text = "CA-ECCC"
    one(transit, "t:EntryPoint").text = "Port of Vancouver"
    states.insert(1, transit)
    one(states[2], "t:Sequence").text = "3"
    shipping_name = etree.Element(T + "UNShippingName")
    shipping_name.text = "LITHIUM ION BATTERIES"
    number = etree.Element(T + "UNNumber")
    number.text = "UN3480"
    waste = one(root, "t:Notification/t:Waste")
    waste.extend([number, shipping_name])
    assert validate(root) == []
    number.text = "3480"
    assert_invalid(root)


# --------------------------------------------------------------------------- other messages


def test_decision_is_consent_or_objection():
    root = example("TMWNotificationDecisionMessage")
    objection = etree.Element(T + "Objection")
    etree.SubElement(objection, T + "Reasons").text = "The facility's permit has expired."
    one(root, "t:Consent").addnext(objection)
    assert_invalid(root)  # both
    remove(root, "t:Consent")
    assert validate(root) == []  # objection only
    remove(root, "t:Objection")
    assert_invalid(root)  # neither


def test_consent_conditions_are_optional():
    assert (
        validate(remove(example("TMWNotificationDecisionMessage"), "t:Consent/t:Conditions")) == []
    )


@pytest.mark.parametrize(
    ("root_name", "path", "value"),
    [
        ("TMWCancellationMessage", "t:CancellationType", "withdrawn"),
        ("TMWCancellationMessage", "t:Reason", " \n "),
        ("TMWConfirmationOfMessageReceipt", "t:Status", "rejected"),
        ("TMWConfirmationOfMessageReceipt", "t:ReceivedMessageID", "42"),
        ("TMWCertificateOfWasteReceiptMessage", "t:Accepted", "no"),
        ("TMWCertificateOfWasteRecoveryDisposalMessage", "t:OperationCode", "R"),
        ("TMWTransportStatementMessage", "t:TransportMode", "X"),
        ("TMWErrorMessage", "t:Error/t:Code", "schema invalid"),
        ("TMWFurtherNotificationRequest", "t:RequestText", ""),
    ],
)
def test_bad_values_in_other_messages_fail(root_name, path, value):
    root = example(root_name)
    one(root, path).text = value
    assert_invalid(root)


def test_error_message_needs_an_error():
    root = example("TMWErrorMessage")
    remove(root, "t:Error")
    assert_invalid(root)


def test_rejected_receipt_with_reason_validates():
    root = example("TMWCertificateOfWasteReceiptMessage")
    one(root, "t:Accepted").text = "false"
    reason = etree.Element(T + "RejectionReason")
    reason.text = "Batteries found among the boards."
    one(root, "t:Accepted").addnext(reason)
    remove(root, "t:ApproxRecoveryDate")
    assert validate(root) == []


# --------------------------------------------------------------------------- error reporting


def test_errors_name_the_line_of_the_received_document():
    root = example("TMWMovementAnnouncementMessage")
    packages = one(root, "t:Packages")
    packages.text = "many"
    errors = validate(root)
    assert len(errors) == 1
    assert errors[0].startswith(f"line {packages.sourceline}: ")
    assert "Packages" in errors[0]


def test_errors_do_not_leak_between_calls():
    broken = example("TMWMovementAnnouncementMessage")
    one(broken, "t:Packages").text = "many"
    assert validate(broken)
    assert validate(example("TMWMovementAnnouncementMessage")) == []


# --------------------------------------------------------------------------- schema loading


def test_schema_includes_resolve_inside_the_schema_directory_only(tmp_path, monkeypatch):
    inside = tmp_path / "schemas"
    inside.mkdir()
    monkeypatch.setattr(schemas, "SCHEMA_DIR", inside)
    types = (
        f'<xs:schema xmlns:xs="{XS}" targetNamespace="urn:t">'
        '<xs:simpleType name="S"><xs:restriction base="xs:string"/></xs:simpleType>'
        "</xs:schema>"
    )
    (tmp_path / "outside.xsd").write_text(types)
    (inside / "types.xsd").write_text(types)

    def compile_including(location: str) -> etree.XMLSchema:
        main = inside / "main.xsd"
        main.write_text(
            f'<xs:schema xmlns:xs="{XS}" targetNamespace="urn:t">'
            f'<xs:include schemaLocation="{location}"/></xs:schema>'
        )
        return etree.XMLSchema(etree.parse(str(main), schemas._schema_parser()))

    compile_including("types.xsd")
    for location in (
        "../outside.xsd",
        (tmp_path / "outside.xsd").as_uri(),
        "http://schemas.example.invalid/types.xsd",
    ):
        with pytest.raises(etree.XMLSchemaParseError, match="not a schema document"):
            compile_including(location)
