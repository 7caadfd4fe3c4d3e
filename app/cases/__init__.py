"""Cases: the aggregate every procedure shares — state, version, audit trail, deadlines."""
