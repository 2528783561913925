#!/usr/bin/env python3
"""Writes the seed corpus of the API fuzzer (fuzz/corpus/api) and its regression inputs
(fuzz/regress/api-*.bin), in the encoding fuzz/fuzz_api.c describes at its top.

Each seed is a sequence of ordinary requests that reaches a deep state — a grant round driven from
submission to a filed report and a payment, a voting round with codes and paper ballots, a
volunteer's shift from sign-up to certificate, a wish from submission to confirmation, the fund's
two-person payouts — with valid bodies, so that the fuzzer's mutations start from there. Routes and
fields are named by their keys (hashes of "METHOD PATH" and of the field name), so an input keeps
its meaning when routes or fields are added.

  fuzz/api_seeds.py            writes both folders
  fuzz/api_seeds.py --print    shows each input's operations instead
"""
import os
import sys

C = '/api/v1/communities/{community_id}'
ROLES = ['admin', 'staff', 'org_rep', 'reviewer', 'resident', 'volunteer', 'social_worker', 'staff2',
         'district_admin', 'outsider', 'nobody']
MODES = {'absent': 0, 'valid': 1, 'edge': 4, 'type': 5, 'any': 6, 'null': 7}


def fnv1a(s, h=2166136261):
    for b in s.encode():
        h = ((h ^ b) * 16777619) & 0xffffffff
    return h


def route_key(method, path):
    h = fnv1a(path, fnv1a(' ', fnv1a(method)))
    k = (h ^ (h >> 18)) & 0x3ffff
    return bytes([0x40 | (k >> 12), 0x40 | ((k >> 6) & 0x3f), 0x40 | (k & 0x3f)])


def field_key(name):
    h = fnv1a(name)
    k = (h ^ (h >> 12)) & 0xfff
    return bytes([0x40 | (k >> 6), 0x40 | (k & 0x3f)])


def op(role, method, path='', params=None, flags=0, query=(), items=()):
    """One operation. params: one byte per path parameter after {community_id} (0: the latest id of
    that kind); items: (field, mode, value) with mode a name of MODES or a number."""
    r = ROLES.index(role)
    out = bytes([r if r != 10 else r + len(ROLES)]) + route_key(method, path)  # the role byte is taken % roles
    nparams = path.count('{')
    p = list(params or [])
    if path.startswith(C):
        p = [0] + p
    p += [0] * (nparams - len(p))
    assert len(p) == nparams, (path, params)
    out += bytes(p)
    flags |= len(query) << 3
    out += bytes([flags]) + bytes(query)
    for field, mode, value in items:
        out += field_key(field) + bytes([MODES.get(mode, mode) if isinstance(mode, str) else mode, value])
    assert b'\n' not in out, (method, path, out)
    return out


def clock(step=0):
    """Moves the test clock on: step 0 one day, 1 an hour, 3 a week (see clock_units)."""
    return bytes([0]) + route_key('CLOCK', '') + bytes([step])


def seq(*ops):
    return b'\n'.join(ops)


def grant_lifecycle(actor, bad_lines=False):
    """A round from submission to a filed report and a paid tranche; the proposal made and edited by
    actor. bad_lines: the edit sends a budget line without its item (H2)."""
    R = C + '/grant-rounds'
    P = R + '/{round_id}/proposals'
    lines = ('budget_lines', 'edge', 0) if bad_lines else ('budget_lines', 'valid', 0)
    return seq(
        op('admin', 'POST', R, items=[('min_expert', 'valid', 1)]),
        op(actor, 'POST', P, items=[('budget_lines', 'valid', 0), ('plan', 'valid', 0)]),
        op(actor, 'PATCH', P + '/{proposal_id}', items=[lines, ('beneficiaries', 'valid', 1)]),
        clock(0),
        op('admin', 'POST', R + '/{round_id}/proposals/{proposal_id}/eligibility'),
        op('admin', 'POST', R + '/{round_id}/phase', items=[('phase', 'valid', 2)]),
        op('admin', 'POST', R + '/{round_id}/results/publish'),
        op(actor, 'POST', P + '/{proposal_id}/reports', items=[('final', 'valid', 0)]),
        op('admin', 'POST', R + '/{round_id}/reports/{report_id}/review'),
        op('staff', 'POST', P + '/{proposal_id}/payments'),
        op('staff', 'POST', P + '/{proposal_id}/payments', items=[('tranche', 'valid', 1)]),
        op('nobody', 'GET', R + '/{round_id}/results'),
    )


def grant_scoring():
    """A round with reviewers, conflicts and scores, then voting by household code and by a verified
    account, paper ballots keyed and checked, the results and an objection."""
    R = C + '/grant-rounds'
    P = R + '/{round_id}/proposals'
    return seq(
        # submissions close in an hour, voting opens in two days and closes in three
        op('admin', 'POST', R, items=[('voting_rule', 'valid', 1), ('approval_k', 'valid', 2), ('voting_opens', 'valid', 1),
                                      ('voting_closes', 'valid', 1)]),
        op('org_rep', 'POST', P, items=[('budget_lines', 'valid', 1)]),
        op('staff', 'POST', P, items=[('organisation_id', 'valid', 1)]),
        op('admin', 'POST', R + '/{round_id}/reviewers', items=[('account_id', 'valid', 3)]),
        clock(1),
        op('admin', 'POST', R + '/{round_id}/proposals/{proposal_id}/eligibility'),
        op('admin', 'POST', R + '/{round_id}/proposals/{proposal_id}/eligibility', params=[0, 1]),
        op('admin', 'POST', R + '/{round_id}/phase', items=[('phase', 'valid', 1)]),
        op('reviewer', 'POST', P + '/{proposal_id}/scores', items=[('comment', 'valid', 0)]),
        op('reviewer', 'POST', P + '/{proposal_id}/conflict', params=[0, 1]),
        op('staff', 'GET', R + '/{round_id}/reviews'),
        op('admin', 'POST', R + '/{round_id}/voting-codes', items=[('count', 'valid', 2)]),
        clock(0),
        clock(0),
        op('resident', 'POST', C + '/voting-codes/redeem'),
        op('resident', 'POST', R + '/{round_id}/votes'),
        op('admin', 'POST', R + '/{round_id}/voters', items=[('account_id', 'valid', 5), ('person_id', 'valid', 0)]),
        op('volunteer', 'POST', R + '/{round_id}/votes'),
        op('staff', 'POST', R + '/{round_id}/paper-ballots', items=[('serial', 'valid', 0x80), ('person_id', 'valid', 1)]),
        op('staff2', 'POST', R + '/{round_id}/paper-ballots/{serial}/check'),
        op('nobody', 'GET', R + '/{round_id}/live'),
        clock(3),
        op('staff', 'GET', R + '/{round_id}/results', query=[0x04]),
        op('admin', 'POST', R + '/{round_id}/results/publish'),
        op('resident', 'POST', R + '/{round_id}/objections'),
        op('admin', 'POST', R + '/{round_id}/objections/{objection_id}/answer'),
        op('nobody', 'GET', R + '/{round_id}/objections'),
    )


def grant_attachments():
    R = C + '/grant-rounds'
    P = R + '/{round_id}/proposals'
    return seq(
        op('admin', 'POST', R),
        op('org_rep', 'POST', P),
        op('org_rep', 'POST', P + '/{proposal_id}/attachments', items=[('x', 0, 0)]),
        op('org_rep', 'POST', P + '/{proposal_id}/attachments', items=[('x', 1, 0)]),
        op('staff', 'GET', P + '/{proposal_id}/attachments/{attachment_id}'),
        op('reviewer', 'GET', P + '/{proposal_id}/attachments/{attachment_id}'),
        op('org_rep', 'PATCH', P + '/{proposal_id}', items=[('title', 'valid', 2)]),
        op('nobody', 'GET', P),
    )


def volunteers():
    V = C + '/volunteers'
    return seq(
        op('staff', 'POST', C + '/trainings'),
        op('staff', 'POST', C + '/trainings/{training_id}/attendance'),
        op('staff', 'POST', C + '/activities', items=[('kind', 'valid', 3)]),
        op('staff', 'POST', C + '/activities/{activity_id}/shifts', items=[('capacity', 'valid', 3)]),
        op('volunteer', 'POST', C + '/shifts/{shift_id}/signup'),
        op('volunteer', 'GET', C + '/shifts/mine'),
        op('staff', 'GET', C + '/shifts/{shift_id}/roster'),
        clock(1),
        op('staff', 'GET', C + '/shifts/{shift_id}/qr'),
        op('volunteer', 'POST', C + '/shifts/{shift_id}/scan'),
        clock(1),
        op('staff', 'GET', C + '/shifts/{shift_id}/qr'),
        op('volunteer', 'POST', C + '/shifts/{shift_id}/scan'),
        op('staff', 'POST', C + '/shifts/{shift_id}/attendance'),
        op('volunteer', 'POST', C + '/hours', items=[('activity_id', 'valid', 0)]),
        op('staff', 'POST', C + '/hours/entries'),
        op('staff', 'POST', C + '/hours/decision'),
        op('staff', 'POST', C + '/hours/{hour_id}/correct'),
        op('volunteer', 'GET', C + '/hours/mine'),
        op('staff', 'POST', V + '/{volunteer_id}/certificates', items=[('from', 'valid', 0x17)]),
        op('volunteer', 'GET', V + '/me/certificates'),
        op('nobody', 'GET', '/api/v1/certificates/{serial}'),
        op('staff', 'POST', C + '/certificates/{certificate_id}/revoke'),
        op('volunteer', 'POST', C + '/shifts/{shift_id}/cancel'),
        op('resident', 'POST', V, items=[('birth_year', 'valid', 0x40), ('guardian_name', 'valid', 0)]),
        op('staff', 'POST', V + '/{volunteer_id}/guardian-consent'),
        op('staff', 'POST', V + '/{volunteer_id}/decision'),
        op('staff', 'PUT', C + '/volunteer-settings'),
        op('staff', 'POST', C + '/volunteer-teams'),
        op('nobody', 'GET', V + '/leaderboard'),
    )


def wishes():
    W = C + '/wishes'
    return seq(
        op('resident', 'POST', W, items=[('beneficiary_name', 'valid', 1), ('title', 'valid', 7)]),
        op('staff', 'POST', W + '/{wish_id}/verify'),
        op('staff', 'POST', W + '/{wish_id}/decision'),
        op('volunteer', 'POST', W + '/{wish_id}/claims'),
        op('staff', 'POST', W + '/{wish_id}/contact'),
        op('staff', 'POST', W + '/{wish_id}/fulfil', items=[('kind', 'valid', 1), ('amount_fen', 'valid', 0), ('method', 'valid', 0)]),
        op('resident', 'POST', W + '/{wish_id}/confirm', items=[('thank_you', 'valid', 0)]),
        op('staff', 'POST', C + '/wish-campaigns'),
        op('social_worker', 'GET', W + '/manage'),
        op('staff', 'POST', W + '/{wish_id}/form-photo', items=[('x', 2, 0)]),
        op('staff', 'GET', W + '/{wish_id}/form-photo'),
        op('nobody', 'GET', C + '/fund'),
        op('nobody', 'GET', W),
    )


def fund():
    F = C + '/fund'
    return seq(
        op('staff', 'POST', F + '/donations', items=[('amount_fen', 'valid', 5)]),
        op('staff', 'PUT', F + '/settings', items=[('threshold_fen', 'valid', 1)]),
        op('staff', 'POST', F + '/disbursements', items=[('amount_fen', 'valid', 4)]),
        op('staff', 'POST', F + '/requests/{request_id}/approve'),
        op('staff2', 'POST', F + '/requests/{request_id}/approve'),
        op('staff', 'POST', F + '/entries/{seq}/reverse'),
        op('staff', 'POST', F + '/donations', flags=5 << 5),
        op('staff', 'POST', F + '/rules'),
        op('nobody', 'GET', F + '/verify'),
        op('staff', 'GET', F + '/report', query=[0x0f]),
        op('nobody', 'GET', F + '/entries', query=[0x43]),
    )


def registry():
    return seq(
        op('staff', 'POST', C + '/compounds'),
        op('staff', 'POST', C + '/compounds/{compound_id}/buildings'),
        op('staff', 'POST', C + '/venues'),
        op('staff', 'POST', C + '/organisations'),
        op('staff', 'POST', C + '/staff'),
        op('staff', 'POST', C + '/people', items=[('phone', 'valid', 0), ('id_number', 'valid', 0), ('tags', 'valid', 3)]),
        op('staff', 'PATCH', C + '/people/{person_id}', items=[('room', 'valid', 0)]),
        op('staff', 'GET', C + '/people/{person_id}', query=[0x08]),
        op('staff', 'POST', C + '/people/import', items=[('x', 0, 0)]),
        op('social_worker', 'GET', C + '/people', query=[0x03]),
        op('admin', 'POST', '/api/v1/districts'),
        op('admin', 'POST', '/api/v1/towns'),
        op('admin', 'POST', '/api/v1/communities'),
        op('district_admin', 'GET', C),
        op('outsider', 'GET', C + '/people'),
    )


def session():
    return seq(
        op('resident', 'GET', '/api/v1/session'),
        op('nobody', 'POST', '/api/v1/session'),
        op('resident', 'DELETE', '/api/v1/session'),
        op('resident', 'GET', '/api/v1/session'),
        op('nobody', 'GET', '/api/v1/communities', query=[0x13]),
        op('staff', 'POST', C + '/compounds', flags=3),
    )


SEEDS = {
    'grants-lifecycle-org-rep': grant_lifecycle('org_rep'),
    'grants-lifecycle-staff': grant_lifecycle('staff'),
    'grants-scoring-voting': grant_scoring(),
    'grants-attachments': grant_attachments(),
    'volunteers': volunteers(),
    'wishes': wishes(),
    'fund': fund(),
    'registry': registry(),
    'session': session(),
}

# Inputs that once crashed the server, replayed by the unit tests (fuzz/api_replay_test.c), beside
# the minimized crash inputs the fuzzer itself found (fuzz/regress/api-h2.bin). H2: an edit of a
# proposal kept a budget line without its item; filing a report on the proposal then passed NULL to
# strcmp (SIGSEGV). Staff make the proposal here: they may for any organisation, so the input keeps
# reaching the edit and the report once org reps must be linked to their organisations.
REGRESS = {
    'api-h2-staff.bin': grant_lifecycle('staff', bad_lines=True),
}


def main():
    root = os.path.dirname(os.path.abspath(__file__))
    if '--print' in sys.argv:
        for name, data in {**SEEDS, **REGRESS}.items():
            print(name, len(data), 'bytes,', data.count(b'\n') + 1, 'operations')
        return
    for folder, inputs in (('corpus/api', SEEDS), ('regress', REGRESS)):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        for name, data in inputs.items():
            with open(os.path.join(root, folder, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
