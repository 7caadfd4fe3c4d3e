"""Reference data: code lists and per-regime rules, versioned by validity dates, with sources."""
