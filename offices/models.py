"""Models of the ${NAMES[$a]} area (see the issue for this area)."""
