"""Used-product export checks: reuse or waste, decided on evidence, verified at the border."""
