#!/usr/bin/env python3
"""check-status.py LOG OWNER ONLINE RECREATE: check what `dax-hmem-sr status
--json` printed in a guest (between the VMTEST JSON markers of LOG) against
the guest's own findings: OWNER is RESULT's owner field (one entry per Soft
Reserved range, comma-separated, OWNER/DRIVER:SIZE segments joined by '+'),
ONLINE its GiB online, RECREATE non-empty when the scenario tore a region
down after those were measured (then online bytes may differ).  Also checks
that each doctor finding is followed by its fix line.  Prints "ok" or what
differs; exit 1 on a difference."""
import json
import sys


def owners_of(field):
    out = []
    for rng in field.split(','):
        merged = []
        for seg in rng.split('+'):
            o = seg.split(':')[0].split('/')[0]
            if not merged or merged[-1] != o:
                merged.append(o)
        out.append('+'.join(merged))
    return out


def main():
    log, owner, online, recreate = sys.argv[1:5]
    lines = [l.rstrip('\r\n') for l in open(log, encoding='utf-8', errors='replace')]
    try:
        b = lines.index('=== VMTEST JSON BEGIN')
    except ValueError:
        print('no status JSON in the log')
        return 1
    e = next((i for i in range(b, len(lines)) if lines[i].startswith('=== VMTEST JSON END')), None)
    if e is None:
        print('status JSON not terminated')
        return 1
    if lines[e] != '=== VMTEST JSON END rc=0':
        print('status exited non-zero: ' + lines[e])
        return 1
    try:
        ranges = json.loads('\n'.join(lines[b + 1:e]))
    except ValueError as err:
        print('status JSON does not parse: %s' % err)
        return 1
    errs = []
    got = [r['owner'] for r in ranges]
    want = owners_of(owner)
    if got != want:
        errs.append('owners %s, guest found %s' % ('/'.join(got), '/'.join(want)))
    for r in ranges:
        parts = r['owner'].split('+')
        # the kernel's decision must be one of the owners found, unless
        # there was no report to read it from
        # lost: nothing decodes it, so nothing may serve it (issue 16 item 2)
        if r['state'] == 'lost':
            if r['owner'] != 'none':
                errs.append('%s: lost but owner %s' % (r['range'], r['owner']))
        elif r['state'] not in ('unknown',) and r['state'] not in parts:
            errs.append('%s: state %s but owner %s' % (r['range'], r['state'], r['owner']))
        # memory an unbind left added has no device: only a lost range may
        # have more online than its devices
        devs = sum(d['online_bytes'] for d in r['devices'])
        if devs != r['online_bytes'] and not (r['state'] == 'lost' and devs < r['online_bytes']):
            errs.append('%s: device online bytes do not add up' % r['range'])
    total = sum(r['online_bytes'] for r in ranges) / (1 << 30)
    if not recreate and online not in ('', '-') and abs(total - float(online)) > 1e-9:
        errs.append('online %gG, guest found %sG' % (total, online))
    for i, l in enumerate(lines):
        if l.startswith('finding ') and not (i + 1 < len(lines) and
                                             lines[i + 1].startswith('  fix: ')):
            errs.append('doctor finding without a fix: ' + l)
    print('; '.join(errs) if errs else 'ok')
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
