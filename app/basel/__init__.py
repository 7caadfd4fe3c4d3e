"""Basel PIC notifications: the form data (harmonised blocks 1–18) and its responses."""
