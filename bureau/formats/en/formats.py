from bureau.formats.zh_Hans.formats import *  # noqa: F403 (the same format in English)
