"""Working-day calendars per country, from the `holidays` library plus administrative closures."""
