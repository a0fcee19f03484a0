import json

from django.core.management.base import BaseCommand
from django.utils import translation

from escalade.config.api import api


class Command(BaseCommand):
    help = "Print the OpenAPI schema of the JSON API (committed as openapi/schema.json)."

    def handle(self, **options):
        with translation.override("en"):
            schema = api.get_openapi_schema(path_prefix="/api/")
        self.stdout.write(
            json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        )
