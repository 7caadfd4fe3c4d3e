"""Who may reach which route: one rule per view, enforced before every request.

A view without a rule is refused (fail closed), and tests/security/test_route_access.py walks the
URL map so a new route without a rule fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import abort, current_app, g, request
from flask_login import current_user

from .auth.roles import ALL_ROLES

PUBLIC_ENDPOINTS = frozenset({"static"})


@dataclass(frozen=True)
class RouteRule:
    #: roles that may use the route; every role when the route is for any signed-in user
    roles: frozenset[str]
    #: reachable without signing in (login page, health check)
    public: bool = False
    #: machine route: authenticated by bearer token, never by the browser session
    api: bool = False
    #: partner-system route: authenticated by the partner's pull token
    partner: bool = False
    #: for a partner-system route: checks the request's token and returns the partner (the
    #: package that owns the route passes it, so access rules import no procedure)
    authenticate: Callable[[], object] | None = None


def allow(*roles: str, api: bool = False) -> Callable:
    """Let only these roles use the view (`allow()` = any signed-in user)."""
    rule = RouteRule(roles=frozenset(roles or ALL_ROLES), api=api)
    return _attach(rule)


def partner_only(authenticate: Callable[[], object]) -> Callable:
    """A route for partner authorities' systems, authenticated by their pull token:
    `authenticate()` aborts with 401 or returns the partner (kept in `g.partner`)."""
    return _attach(RouteRule(roles=frozenset(), partner=True, authenticate=authenticate))


def public(view: Callable) -> Callable:
    return _attach(RouteRule(roles=frozenset(ALL_ROLES), public=True))(view)


def _attach(rule: RouteRule) -> Callable:
    def decorate(view: Callable) -> Callable:
        view.route_rule = rule
        return view

    return decorate


def rule_for(endpoint: str) -> RouteRule | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return RouteRule(roles=frozenset(ALL_ROLES), public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "route_rule", None)


def acting_user():
    """The user behind this request: the API token's user or the browser session's."""
    return g.get("api_user") or (current_user if current_user.is_authenticated else None)


def enforce_route_rules():
    if request.endpoint is None:  # no such route: let Flask answer 404
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("route %s has no access rule; refused", request.endpoint)
        abort(403)
    if rule.public:
        return None
    if rule.partner:
        g.partner = rule.authenticate()
        return None
    if rule.api:
        from .api.auth import authenticate_token

        g.api_user = authenticate_token()
        user = g.api_user
    else:
        user = current_user if current_user.is_authenticated else None
        if user is None:
            return current_app.login_manager.unauthorized()
    if user.role not in rule.roles:
        abort(403)
    return None


def may_open(endpoint: str) -> bool:
    """The signed-in user's role may use the (browser) route `endpoint`: the rule that
    `enforce_route_rules` applies, asked before a link to it is shown, so that no page
    offers a link that answers 403 (templates: `may_open('measures.basel_report')`)."""
    rule = rule_for(endpoint)
    if rule is None or rule.partner or rule.api:
        return False
    if rule.public:
        return True
    return current_user.is_authenticated and current_user.role in rule.roles


def roles_of(endpoints: Iterable[str]) -> dict[str, RouteRule | None]:
    return {e: rule_for(e) for e in endpoints}
