import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Print the OpenAPI schema of the JSON API (committed as openapi/schema.json)."

    def handle(self, **options):
        api = import_string(settings.ESCALADE_API)  # the project's API (config sits above core)
        with translation.override("en"):
            schema = api.get_openapi_schema(path_prefix="/api/")
        self.stdout.write(
            json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        )
