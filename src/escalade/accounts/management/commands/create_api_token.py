from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from escalade.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Create an API token for USER; the token is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, username, name="", **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user '{username}'")
        token = create_api_token(user, name)
        self.stdout.write(
            f"API token for {username} (shown once; send it as 'Authorization: Bearer <token>'):"
        )
        self.stdout.write(token)
