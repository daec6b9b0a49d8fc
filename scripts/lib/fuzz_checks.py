"""Checks of scripts/fuzz beyond schemathesis's own (loaded through SCHEMATHESIS_HOOKS).

valid_data_accepted: a request that conforms to the contract is not refused as malformed or
invalid. A 400 always fails it; a 422 fails it unless every problem it names is a rule that an
OpenAPI schema cannot state. Those rules are listed below, each with the reason a schema cannot
carry it; anything else the server refuses must be written into the contract (a length, a
range, a pattern, a required field), so that a client generated from it never sends what the
server refuses.
"""

import re

import schemathesis

# The documented form of If-Match (components.parameters.IfMatch): `*` or entity tags.
IF_MATCH = re.compile(
    r'^(\*|(W/)?"[^"\u0000-\u0020\u007F]*"([ \t]*,[ \t]*(W/)?"[^"\u0000-\u0020\u007F]*")*)$'
)

# Rules the contract states in words (descriptions) because a schema cannot.
RULES_BEYOND_A_SCHEMA = {
    # The value names something: only the database knows whether it exists in your scope.
    "reference.not_found",
    "material.not_in_matter",
    # Cursors are opaque: only the ones the API gave out are valid.
    "cursor.invalid",
    "assessment.not_in_hall",
    # A check character computed from the other characters.
    "credit_code.check_character",
    # A template whose placeholders the server parses.
    "index_format.invalid",
    # Required only in some cases (the message says which): by another field, the caller, or
    # the state of the object.
    "field.required_when",
    "material.condition_required",
    "material.condition_on_required",
    # Between fields or parameters (JSON Schema cannot compare two values).
    "applicant.kind_for_natural_person",
    "applicant.kind_required",
    "date.order",
    "fee.by_case",
    "fee.by_volume",
    "grades.order",
    "matter.promised_over_statutory",
    "matter.immediate_with_limit",
    "matter.promised_without_limit",
    # Depends on who asks: the role or organisation of the caller, or whether there is one.
    "auth.required",
    "staff.only",
    "operator.only",
    "case.channel",
    "org.root_must_be_government",
    "org.level_above_parent",
    "org.invalid_parent",
    # Depends on what the URL's host name resolves to now (a private address is refused).
    "webhook.target_forbidden",
    # Depends on the server's clock.
    "date.past",
    "date.future",
    "year.future",
    # Depends on the stored state of the object (the current version, earlier steps) or of
    # the account (its password).
    "password.incorrect",
    "window.ab_posts",
    "idempotency.key_reused",
}


def _problem_codes(response):
    try:
        problem = response.json()
    except Exception:  # noqa: BLE001 - any unreadable body counts as unexplained
        return ["<no problem body>"]
    codes = [e.get("code") for e in problem.get("errors") or []]
    return codes or [problem.get("code")]


@schemathesis.check
def valid_data_accepted(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    # The stateful phase chains calls through links it infers; a value it could not find is
    # sent as the text "None", which conforms to no schema of an id.
    if "None" in case.formatted_path:
        return None
    # Its coverage phase fills headers with values like "0" whatever their pattern: such a
    # request does not conform to the contract.
    headers = {k.lower(): v for k, v in (case.headers or {}).items()}
    if "if-match" in headers and not IF_MATCH.match(str(headers["if-match"])):
        return None
    status = response.status_code
    if status == 400:
        raise AssertionError(
            f"A request that conforms to the contract was refused as malformed (400): "
            f"{response.text[:300]}"
        )
    if status == 422:
        codes = _problem_codes(response)
        unexplained = [c for c in codes if c not in RULES_BEYOND_A_SCHEMA]
        if unexplained:
            raise AssertionError(
                "A request that conforms to the contract was refused as invalid (422) by "
                f"rules the contract could state but does not: {unexplained}: "
                f"{response.text[:300]}"
            )
    return None
