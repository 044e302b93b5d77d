"""Email updates with honest, recorded consent."""
