# One way to write a date and a moment on every page, whatever the template or the language
# (Django's Chinese default is "2022年3月1日 10:00", its English "March 1, 2022, 10 a.m.").
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
