"""`shopexit status` for people: the same figures as `--json`, laid out to read in a terminal."""

from __future__ import annotations

from typing import Any

from shopexit.core.vault import ShopProfile

_MARK = {"todo": "[ ]", "doing": "[~]", "done": "[x]"}


def status_text(profile: ShopProfile, data: dict[str, Any]) -> str:
    orders = data["orders"]
    lines = [f"{profile.shop_name} — {profile.creator} ({profile.region}, {profile.currency})", ""]
    lines.append(f"Orders: {orders['total']} ({orders['open']} open), {orders['lines']} lines")
    for status_name, n in orders["by_status"].items():
        lines.append(f"  {status_name:<22}{n:>6}")
    for currency, f in data["funds"].items():
        lines.append(f"Funds {currency}: settled {f['settled']}, on hold {f['on_hold']}, withdrawn {f['withdrawn']},"
                     f" available about {f['available_estimate']}")
    for currency, c in data["commissions"].items():
        lines.append(f"Commissions {currency}: estimated {c['estimated']}, earned {c['earned']},"
                     f" {c['ineligible_orders']} ineligible")
    lines.append(f"Messages: {data['messages']}   Evidence: {data['attachments']}   Open cases: {data['cases_open']}")
    lines.append("")
    for step in data["steps"]:
        lines.append(f"{_MARK[step['status']]} {step['number']:>2}. {step['title']}")
    closure = data["closure"]
    lines.append("")
    if closure["earliest_close_date"]:
        lines.append(f"Earliest closure date: {closure['earliest_close_date']}")
    else:
        lines.append(f"Earliest closure date: not before {closure['not_before']}, once no order is open")
    lines.extend(f"  - {b}" for b in closure["blockers"])
    return "\n".join(lines)
