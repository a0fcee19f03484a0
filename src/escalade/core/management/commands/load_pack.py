from django.core.management.base import BaseCommand, CommandError

from escalade.core.packs import PackError, load_pack, validate_pack


class Command(BaseCommand):
    help = (
        "Validate and load institution packs (folders of YAML files), in the order given,"
        " each in its own transaction. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="path")
        parser.add_argument("--check", action="store_true", help="validate only, write nothing")

    def handle(self, paths, check=False, **options):
        for path in paths:
            try:
                if check:
                    v = validate_pack(path)
                    self.stdout.write(f"{path}: valid pack for '{v.institution.code}'")
                    continue
                result = load_pack(path)
            except PackError as exc:
                raise CommandError(
                    f"{path}: pack not loaded:\n" + "\n".join(exc.format_lines())
                ) from exc
            state = "loaded" if result.changed else "unchanged"
            self.stdout.write(f"{path}: {state} (institution '{result.institution.code}')")
