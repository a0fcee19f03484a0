"""Who am I: the signed-in user's roles and institutions."""

from ninja import Router, Schema

from .services import institutions_of, roles_of

router = Router(tags=["accounts"])


class InstitutionOut(Schema):
    code: str
    name: dict
    timezone: str


class MeOut(Schema):
    username: str
    roles: list[str]
    institutions: list[InstitutionOut]


@router.get("/me", response=MeOut, summary="The signed-in user, roles and institutions")
def me(request):
    user = request.auth
    return {
        "username": user.get_username(),
        "roles": sorted(roles_of(user)),
        "institutions": list(institutions_of(user)),
    }
