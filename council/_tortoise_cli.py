from council.db import tortoise_config

TORTOISE_ORM = tortoise_config()
