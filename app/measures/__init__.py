"""The action plan's measures and targets, the links of cases to them, and the indicators
computed from case data (the progress dashboard and the Basel annual report)."""
