"""``zhaoshang users …``: team members, their roles, passwords and API tokens (kept in the team state)."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from .app import FORMAT_OPTION, Fmt, app, emit, open_team, state, t

users_app = typer.Typer(help="团队用户：添加、角色、停用、重置密码、API 令牌", no_args_is_help=True)
token_app = typer.Typer(help="API 令牌（脚本与其他系统用 Authorization: Bearer 访问）", no_args_is_help=True)
app.add_typer(users_app, name="users")
users_app.add_typer(token_app, name="token")

PASSWORD_STDIN = typer.Option(False, "--password-stdin", help="从标准输入读取密码（第一行）；否则交互输入或自动生成")


def _password(from_stdin: bool) -> tuple[str, bool]:
    """(password, generated?): from stdin, a hidden prompt on a terminal, or generated and shown once."""
    from ...services.team.accounts import generate_password

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if sys.stdin.isatty():
        return typer.prompt(t("密码", "Password"), hide_input=True, confirmation_prompt=True), False
    return generate_password(), True


def _actor():
    from ...services.team.audit import cli_actor

    return cli_actor()


def _show_generated(name: str, password: str) -> None:
    sys.stdout.write(t(f"{name} 的初始密码（只显示这一次）: {password}\n",
                       f"initial password of {name} (shown only this once): {password}\n"))


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="用户名"),
    role: str = typer.Option("viewer", "--role", "-r", help="角色 admin|analyst|viewer（见 docs/security.md）"),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """添加用户（密码以 argon2 哈希保存）。"""
    from ...services.team import accounts

    password, generated = _password(password_stdin)
    team = open_team(create=True)
    acc = accounts.add_user(team, name, role, password, _actor())
    sys.stderr.write(t(f"已添加用户 {acc.name}（{acc.role}）\n", f"added user {acc.name} ({acc.role})\n"))
    if generated:
        _show_generated(acc.name, password)


def _to_second(rows: list[dict], fmt: Fmt, *fields: str) -> list[dict]:
    """A table shows team-state times to the second (as ``team audit`` does); JSON and CSV keep them as stored."""
    from ...core.teamstate.clock import to_second

    return rows if fmt != Fmt.table else [{**r, **{f: to_second(r.get(f)) for f in fields}} for r in rows]


@users_app.command("list")
def users_list(fmt: Fmt = FORMAT_OPTION) -> None:
    """列出用户：角色、是否停用、最近活动、有效令牌数。"""
    from ...services.team import accounts

    rows = accounts.list_users(open_team(create=True))
    for r in rows:
        r["disabled"] = bool(r["disabled"])
    shown = _to_second(rows, fmt, "created_at", "last_seen")
    if fmt == Fmt.table:  # the role in words (管理员 / administrator); JSON and CSV keep the code
        from ..labels import labelled

        shown = labelled(shown, "role", "team_role", state.lang)
    emit(rows, fmt, rows=shown,
         columns=["name", "role", "disabled", "created_at", "last_seen", "tokens"],
         title=t("用户", "Users"), headers={"role": ("角色", "Role")})


@users_app.command("set-role")
def users_set_role(name: str = typer.Argument(..., help="用户名"),
                   role: str = typer.Argument(..., help="admin|analyst|viewer")) -> None:
    """修改用户的角色。"""
    from ...services.team import accounts

    acc = accounts.set_role(open_team(create=True), name, role, _actor())
    sys.stderr.write(t(f"{acc.name} 的角色现为 {acc.role}\n", f"{acc.name} is now {acc.role}\n"))


@users_app.command("disable")
def users_disable(name: str = typer.Argument(..., help="用户名")) -> None:
    """停用用户：立即结束其会话，其令牌不再有效。"""
    from ...services.team import accounts

    accounts.set_disabled(open_team(create=True), name, True, _actor())
    sys.stderr.write(t(f"已停用 {name}\n", f"disabled {name}\n"))


@users_app.command("enable")
def users_enable(name: str = typer.Argument(..., help="用户名")) -> None:
    """重新启用用户。"""
    from ...services.team import accounts

    accounts.set_disabled(open_team(create=True), name, False, _actor())
    sys.stderr.write(t(f"已启用 {name}\n", f"enabled {name}\n"))


@users_app.command("reset-password")
def users_reset_password(name: str = typer.Argument(..., help="用户名"), password_stdin: bool = PASSWORD_STDIN) -> None:
    """重置密码（结束该用户的所有会话）。"""
    from ...services.team import accounts

    password, generated = _password(password_stdin)
    accounts.reset_password(open_team(create=True), name, password, _actor())
    sys.stderr.write(t(f"已重置 {name} 的密码\n", f"password of {name} reset\n"))
    if generated:
        _show_generated(name, password)


@users_app.command("throttles")
def users_throttles(fmt: Fmt = FORMAT_OPTION) -> None:
    """最近 15 分钟的登录失败：每个用户名与来源地址的次数，以及是否被限制、到何时。"""
    from ...services.team import accounts

    rows = accounts.throttles(open_team(create=True))
    emit(rows, fmt, rows=_to_second(rows, fmt, "last_failure", "throttled_until"),
         columns=["name", "ip", "failures", "account_failures", "last_failure", "throttled_until", "scope"],
         title=t("登录失败与限制", "Failed logins and throttles"))


@users_app.command("unlock")
def users_unlock(name: str = typer.Argument(..., help="用户名"),
                 address: Optional[str] = typer.Option(None, "--address", help="只解除来自该地址的限制")) -> None:
    """解除登录限制：清除该用户名（或其来自某地址）的登录失败记录（写入审计日志）。"""
    from ...services.team import accounts

    n = accounts.clear_throttle(open_team(create=True), name, address, _actor())
    sys.stderr.write(t(f"已解除 {name} 的登录限制（清除 {n:,} 次失败）\n", f"login throttle of {name} cleared ({n:,} failures forgotten)\n"))


@token_app.command("create")
def token_create(name: str = typer.Argument(..., help="用户名（令牌代表该用户及其角色）"),
                 label: Optional[str] = typer.Option(None, "--label", help="用途说明"),
                 fmt: Fmt = FORMAT_OPTION) -> None:
    """创建 API 令牌；令牌只显示这一次（库中只存其哈希）。"""
    from ...services.team import accounts

    tok = accounts.create_token(open_team(create=True), name, label, _actor())
    if fmt == Fmt.json:
        emit(tok, fmt)
        return
    sys.stderr.write(t(f"令牌 #{tok['id']}（{name}）只显示这一次：\n", f"token #{tok['id']} ({name}), shown only this once:\n"))
    sys.stdout.write(tok["token"] + "\n")


@token_app.command("list")
def token_list(name: Optional[str] = typer.Argument(None, help="只列出该用户的令牌"), fmt: Fmt = FORMAT_OPTION) -> None:
    """列出令牌（编号、用户、前缀、创建与最近使用时间、是否已吊销）。"""
    from ...services.team import accounts

    tokens = accounts.list_tokens(open_team(create=True), name)
    emit(tokens, fmt, rows=_to_second(tokens, fmt, "created_at", "last_used_at", "revoked_at"),
         columns=["id", "user", "label", "prefix", "created_at", "last_used_at", "revoked_at"], title=t("API 令牌", "API tokens"),
         headers={"label": ("用途", "Label")})  # the token's label as the admin page names it, not a chain label's 判断


@token_app.command("revoke")
def token_revoke(token_id: int = typer.Argument(..., help="令牌编号（见 users token list）")) -> None:
    """吊销令牌：立即失效。"""
    from ...services.team import accounts

    r = accounts.revoke_token(open_team(create=True), token_id, _actor())
    sys.stderr.write(t(f"已吊销令牌 #{r['id']}（{r['user']}）\n", f"revoked token #{r['id']} ({r['user']})\n"))
