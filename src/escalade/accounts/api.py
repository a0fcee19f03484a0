"""Who am I: the signed-in user's roles and institutions."""

from ninja import Field, Router, Schema

from .services import institutions_of, roles_at, roles_of

router = Router(tags=["accounts"])


class InstitutionOut(Schema):
    code: str
    name: dict
    timezone: str
    roles: list[str] = Field(description="the user's roles at this institution")


class MeOut(Schema):
    username: str
    roles: list[str] = Field(description="every role of the account, all institutions")
    institutions: list[InstitutionOut]


@router.get("/me", response=MeOut, summary="The signed-in user, roles and institutions")
def me(request):
    user = request.auth
    return {
        "username": user.get_username(),
        "roles": sorted(roles_of(user)),
        "institutions": [
            {
                "code": i.code,
                "name": i.name,
                "timezone": i.timezone,
                "roles": sorted(roles_at(user, i)),
            }
            for i in institutions_of(user)
        ],
    }
