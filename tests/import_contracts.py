"""import-linter contract of the architecture: an app imports another app's services,
selectors, models (or schemas), never its pages or API (views, forms, api); shared web
and API helpers live in core. The apps are read from the package, so a new app is held to
it without a line of configuration. Run by `make test` (`lint-imports`)."""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class AppBoundaries(Contract):
    """Contract type `tests.import_contracts.AppBoundaries`:
    `package` (escalade), `forbidden` (views, forms, api), `exempt` (config: it assembles
    every app's pages and API)."""

    package = fields.StringField()
    forbidden = fields.ListField(subfield=fields.StringField())
    exempt = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        root = str(self.package)
        forbidden = {str(f) for f in self.forbidden}
        exempt = {str(e) for e in (self.exempt or [])}
        apps = {
            m.split(".")[1]
            for m in graph.modules
            if m.count(".") >= 1 and m.startswith(root + ".") and m.split(".")[1] not in exempt
        }
        broken = []
        for importer in sorted(graph.modules):
            parts = importer.split(".")
            if len(parts) < 2 or parts[0] != root or parts[1] not in apps:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = imported.split(".")
                if (
                    len(target) >= 3
                    and target[0] == root
                    and target[1] in apps
                    and target[1] != parts[1]
                    and target[2] in forbidden
                ):
                    lines = [
                        d["line_number"]
                        for d in graph.get_import_details(importer=importer, imported=imported)
                    ]
                    broken.append((importer, imported, lines))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(f"{importer} imports {imported} ({where})")
        output.new_line()
