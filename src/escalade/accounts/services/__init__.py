"""Writes and lookups for users, roles, institutions and API tokens."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.core.errors import Code, Forbidden, Invalid, NotFound
from escalade.core.models import Institution

from .. import sql
from ..choices import Role
from ..models import ApiToken, Membership, Profile, hash_token
from ..rules import ROLE_PERMISSIONS


def ensure_roles() -> None:
    """Create one group per role with exactly the permissions of rules.ROLE_PERMISSIONS."""
    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label__in=[
                "incidents",
                "telesessions",
                "problems",
                "catalog",
                "notices",
                "renewals",
                "runbooks",
                "mailin",
                "datasources",
                "oncall",
                "actions",
                "core",
            ]
        ).select_related("content_type")
    }
    if not perms:  # incidents not migrated yet: post_migrate of incidents will call again
        return
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = {perms[c] for c in ROLE_PERMISSIONS[role] if c in perms}
        if set(group.permissions.all()) != wanted:
            group.permissions.set(wanted)


def roles_of(user) -> set[str]:
    """The user's role codes (their groups), read once per request and kept on the user."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_escalade_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._escalade_roles = cached
    return cached


def _member_roles(user) -> dict[int, set[str]]:
    """The user's roles at each of their institutions (Membership.roles narrowing the
    account's), read once per request and kept on the user."""
    cached = getattr(user, "_escalade_member_roles", None)
    if cached is None:
        rows = Membership.objects.filter(user=user).values_list("institution_id", "roles")
        cached = _narrowed(user, dict(rows))
        user._escalade_member_roles = cached
        user._escalade_institution_ids = set(cached)
    return cached


def _narrowed(user, rows: dict[int, list]) -> dict[int, set[str]]:
    every = roles_of(user)
    return {i: (set(r) & every if r else every) for i, r in rows.items()}


def roles_at(user, where) -> set[str]:
    """The user's role codes at the institution `where` names (an Institution, its id, or
    a row of it): none where they are not a member (a superuser: their account's)."""
    if not user or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return roles_of(user)
    return _member_roles(user).get(_institution_id(where), set())


def _institution_id(where) -> int | None:
    if isinstance(where, Institution):
        return where.pk
    if where is None or isinstance(where, int):
        return where
    return where.institution_id


def has_permission(user, permission: str, where=None) -> bool:
    """Whether the user's roles grant `permission` (rules.ROLE_PERMISSIONS, which
    ensure_roles() also gives the groups: the same answer as user.has_perm, in one query);
    with `where` (an institution, its id or a row of it), their roles at that
    institution only."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    roles = roles_of(user) if where is None else roles_at(user, where)
    return any(permission in ROLE_PERMISSIONS.get(role, ()) for role in roles)


def institutions_of(user):
    """The institutions the user belongs to (every one for a superuser), as a queryset."""
    if user.is_superuser:
        return Institution.objects.all()
    return Institution.objects.filter(members__user=user)


def institution_ids_of(user) -> list[int]:
    """The ids of the institutions the user is a member of (memberships only)."""
    return list(Membership.objects.filter(user=user).values_list("institution_id", flat=True))


def belongs_to(user, institution_id: int) -> bool:
    """Whether `user` is a member of the institution (memoized on the user object, which
    lives for one request)."""
    if user.is_superuser:
        return True
    ids = getattr(user, "_escalade_institution_ids", None)
    if ids is None:
        ids = set(_member_roles(user))
    return institution_id in ids


def _my_institutions(user) -> list[Institution]:
    if user.is_superuser:
        return list(Institution.objects.all())
    ids = getattr(user, "_escalade_institution_ids", None)
    if ids is None:
        mine = list(institutions_of(user))
        user._escalade_institution_ids = {i.pk for i in mine}
        return mine
    if not ids:
        return []
    known = getattr(user, "_escalade_institutions", {})
    if ids <= known.keys():  # read with the token
        return sorted((known[i] for i in ids), key=lambda i: i.code)
    return sql.institutions_by_id(ids)


def resolve_institution(user, code: str | None = None, need: str | None = None) -> Institution:
    """The institution a request acts on: `code` if given (and the user's), else the only one.
    With `need`, the user's roles there must also grant that permission (reads of the
    institution's data that not every role may see)."""
    if need is not None and not has_permission(user, need):
        raise Forbidden(_("Your role does not allow this action."))
    institution = _resolve_institution(user, code)
    if need is not None and not has_permission(user, need, institution):
        raise Forbidden(_("Your role at this institution does not allow this action."))
    return institution


def _resolve_institution(user, code: str | None) -> Institution:
    mine = _my_institutions(user)
    if code:
        for inst in mine:
            if inst.code == code:
                return inst
        raise Forbidden(
            _("You do not belong to institution '%(code)s'.") % {"code": code},
            field="institution",
            code=Code.NOT_A_MEMBER,
        )
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise Forbidden(
            _("Your account belongs to no institution."),
            field="institution",
            code=Code.NO_INSTITUTION,
        )
    default = next(
        (m.institution for m in Membership.objects.filter(user=user, is_default=True)), None
    )
    if default is not None:
        return default
    raise Invalid(
        _("You belong to several institutions: say which one (%(codes)s).")
        % {"codes": ", ".join(i.code for i in mine)},
        field="institution",
        code=Code.WHICH_INSTITUTION,
    )


def working_institution(request, mine=None) -> Institution | None:
    """The institution the signed-in user works in now: picked in the header (kept in the
    session), else their default, else the first of theirs. Read once per request (the
    view, the header and the notice banner all ask)."""
    code = request.session.get("institution") if hasattr(request, "session") else None
    cached = getattr(request, "_escalade_working", None)
    if cached is not None and cached[0] == code:
        return cached[1]
    user = request.user
    mine = list(institutions_of(user)) if mine is None else mine
    found = next((inst for inst in mine if inst.code == code), None)
    if found is None:
        default = set(
            Membership.objects.filter(user=user, is_default=True).values_list(
                "institution_id", flat=True
            )
        )
        found = next((i for i in mine if i.pk in default), mine[0] if mine else None)
    request._escalade_working = (code, found)
    return found


def set_default_institution(user, institution) -> None:
    """The institution a user lands in from now on (picked in the header: remembered)."""
    with transaction.atomic():
        mine = Membership.objects.select_for_update().filter(user=user)
        if not mine.filter(institution=institution).exists():
            raise Forbidden(
                _("Your account does not belong to this institution."), code=Code.NOT_A_MEMBER
            )
        mine.exclude(institution=institution).update(is_default=False)
        mine.filter(institution=institution).update(is_default=True)


@transaction.atomic
def create_user(username: str, *, password: str | None, roles, institutions, **fields):
    """Create a user with roles and memberships (the demo command and tests use this)."""
    User = get_user_model()
    user = User.objects.create_user(username=username, password=password, **fields)
    set_roles(user, roles)
    for i, inst in enumerate(institutions):
        Membership.objects.create(user=user, institution=inst, is_default=(i == 0))
    return user


def system_user(institution):
    """The account under which Escalade itself logs requests for an institution (a
    mailbox, a data source's monitoring): a requester of it who cannot sign in. Created
    once, on first use."""
    User = get_user_model()
    username = f"system-{institution.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name="Escalade")
        user.set_unusable_password()
        user.save()
        set_roles(user, [Role.REQUESTER])
        Membership.objects.create(user=user, institution=institution, is_default=True)
    return user


def set_roles(user, roles) -> None:
    """Give the user exactly these roles; Invalid (not_one_of) on an unknown one. The
    groups' permissions are set by ensure_roles() after every migrate and before a pack
    loads; here only a missing group calls it (one query, not one per role)."""
    if Group.objects.filter(name__in=Role.values).count() != len(Role):
        ensure_roles()
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise Invalid(
            _("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)},
            field="roles",
            code=Code.NOT_ONE_OF,
        )
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    user._escalade_roles = None
    user.__dict__.pop("_escalade_member_roles", None)


def create_api_token(user, name: str = "", days: int | None = None) -> str:
    """Create a token for `user` and return it; only its hash is kept. It expires after
    `days` (ESCALADE_TOKEN_DAYS by default)."""

    raw = "esc_" + secrets.token_urlsafe(32)
    lifetime = dt.timedelta(days=days if days is not None else settings.ESCALADE_TOKEN_DAYS)
    ApiToken.objects.create(
        user=user,
        name=name[:100],
        digest=hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + lifetime,
    )
    return raw


def revoke_api_token(user, token_id: int) -> ApiToken:
    """The user revokes one of their own tokens (at once, in every process)."""

    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound(_("No such token."), field="token")
        if not token.revoked:
            token.revoked, token.revoked_at = True, timezone.now()
            token.save(update_fields=["revoked", "revoked_at"])
    return token


def user_from_token(raw: str):
    """The active user holding this unrevoked, unexpired token, or None; their roles and
    institutions come with them (one statement: accounts/sql.py)."""
    now = timezone.now()
    found = sql.bearer(hash_token(raw), now)
    if found is None:
        return None
    user, token = found.user, found.token
    user._escalade_roles = found.roles
    user._escalade_institution_ids = set(found.member_roles)
    user._escalade_member_roles = _narrowed(user, found.member_roles)
    if found.landing is not None:
        user._escalade_institutions = {found.landing.pk: found.landing}
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def language_of(user) -> str:
    """The language to write to `user` in (their profile, else the product's default)."""

    profile = Profile.objects.filter(user_id=getattr(user, "pk", user)).first()
    return profile.language if profile else settings.LANGUAGE_CODE


def require(actor, permission: str, where, elsewhere_message=None) -> None:
    """Refuse (Forbidden) unless `actor` holds `permission` and belongs to the institution
    `where` names: an Institution, its id, or a row of it (anything with institution_id);
    None checks the permission only. The one guard every app's services use."""
    if not has_permission(actor, permission):
        raise Forbidden(_("Your role does not allow this action."))
    institution_id = _institution_id(where)
    if institution_id is None:
        return
    if not belongs_to(actor, institution_id):
        raise Forbidden(
            elsewhere_message or _("Your role does not allow this action."),
            code=Code.NOT_A_MEMBER,
        )
    if not has_permission(actor, permission, institution_id):
        raise Forbidden(_("Your role at this institution does not allow this action."))
