"""Only the settings an administrator keeps are here. Problem clues, integrity archives and their
grants are deliberately not registered: the admin site shows every row to a superuser, and the
people who run the system are not 纪检 — they reach those records through grants, like anyone."""
