#!/usr/bin/env python3
"""Who holds the byte arrays of a heap dump: docs/performance.md ("The heap, broken down").

    jcmd <operator pid> GC.heap_dump /tmp/op.hprof     # a full GC first: live objects only
    bench/heap-holders.py /tmp/op.hprof

Prints the bytes of byte arrays (string contents included) by their first holder outside
java.lang, java.util, java.nio and jdk.internal (one referrer per object, the first met in the
dump: a guide, not a retained size), the commonest referrer chains, and the cached Secrets by
name (digits of cluster names and 5-character suffixes folded). 64-bit dumps (8-byte ids) only.
"""
import collections
import re
import struct
import sys

SZ = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
SKIP = ('java.lang.String', 'java.util.', 'java.lang.Object[]', 'java.lang.String[]',
        'jdk.internal.', 'java.nio.', 'java.lang.StringBuilder')


def main(path):
    data = open(path, 'rb').read()
    p = data.index(b'\0') + 1
    if struct.unpack_from('>I', data, p)[0] != 8:
        raise SystemExit('only dumps with 8-byte ids')
    p += 12
    rid = lambda o: struct.unpack_from('>Q', data, o)[0]
    strings, cname, classes, inst, objclass, prim, small = {}, {}, {}, {}, {}, {}, {}
    refs = []
    while p < len(data):
        tag = data[p]
        end = p + 9 + struct.unpack_from('>I', data, p + 5)[0]
        p += 9
        if tag == 0x01:
            strings[rid(p)] = data[p + 8:end].decode('utf-8', 'replace')
        elif tag == 0x02:
            cname[rid(p + 4)] = rid(p + 16)
        elif tag in (0x0c, 0x1c):
            q = p
            while q < end:
                st = data[q]
                q += 1
                if st in (0xff, 0x05, 0x07):
                    q += 8
                elif st in (0x01, 0x02, 0x03, 0x08):
                    q += 16
                elif st in (0x04, 0x06):
                    q += 12
                elif st == 0x20:
                    cid, sup = rid(q), rid(q + 12)
                    q += 8 + 4 + 8 * 6 + 4
                    n = struct.unpack_from('>H', data, q)[0]  # constant pool
                    q += 2
                    for _ in range(n):
                        q += 3 + SZ[data[q + 2]]
                    n = struct.unpack_from('>H', data, q)[0]  # static fields
                    q += 2
                    for _ in range(n):
                        q += 9 + SZ[data[q + 8]]
                    n = struct.unpack_from('>H', data, q)[0]
                    q += 2
                    fields = []
                    for _ in range(n):
                        fields.append((strings.get(rid(q)), data[q + 8]))
                        q += 9
                    classes[cid] = (sup, fields)
                elif st == 0x21:
                    oid, c = rid(q), rid(q + 12)
                    ln = struct.unpack_from('>I', data, q + 20)[0]
                    inst[oid] = (c, q + 24)
                    objclass[oid] = c
                    q += 24 + ln
                elif st == 0x22:
                    oid, n, ac = rid(q), struct.unpack_from('>I', data, q + 12)[0], rid(q + 16)
                    objclass[oid] = ac
                    refs.append((oid, q + 24, n))
                    q += 24 + 8 * n
                elif st == 0x23:
                    oid, n, t = rid(q), struct.unpack_from('>I', data, q + 12)[0], data[q + 16]
                    prim[oid] = (t, n * SZ[t])
                    if t == 8 and n < 200:
                        small[oid] = data[q + 17:q + 17 + n].decode('latin1')
                    q += 17 + n * SZ[t]
                else:
                    raise SystemExit('unknown heap record %x' % st)
        p = end
    name = {c: strings.get(n, '?').replace('/', '.') for c, n in cname.items()}

    def layout(c):
        out = []
        while c:
            sup, fields = classes[c]
            out.extend(fields)
            c = sup
        return out

    layouts, parent = {}, {}
    for oid, (c, off) in inst.items():
        fl = layouts.get(c) or layouts.setdefault(c, layout(c))
        for _, t in fl:
            if t == 2:
                child = rid(off)
                if child and child not in parent:
                    parent[child] = oid
            off += SZ[t]
    for oid, off, n in refs:
        for i in range(n):
            child = rid(off + 8 * i)
            if child and child not in parent:
                parent[child] = oid

    def field(o, fname):
        c, off = inst[o]
        for n, t in layouts.get(c) or layouts.setdefault(c, layout(c)):
            if n == fname and t == 2:
                return rid(off)
            off += SZ[t]
        return None

    def cls(o):
        return name.get(objclass.get(o), '?').replace('[L', '').replace(';', '[]')

    by, count, chains, secret = (collections.Counter() for _ in range(4))
    total = n = 0
    for oid, (t, nb) in prim.items():
        if t != 8:
            continue
        total, n = total + nb, n + 1
        o, path, holder = oid, [], 'no referrer (a root)'
        for _ in range(40):
            par = parent.get(o)
            if par is None:
                break
            path.append(cls(par))
            if path[-1] == 'io.fabric8.kubernetes.api.model.Secret':
                secret[par] += nb
            if not path[-1].startswith(SKIP):
                holder = path[-1]
                break
            o = par
        else:
            holder = 'more than 40 steps deep'
        by[holder] += nb
        count[holder] += 1
        chains[' <- '.join(path[:5])] += nb
    print('byte arrays: %d bytes in %d arrays\n\nbytes, arrays, first holder:' % (total, n))
    for h, nb in by.most_common(30):
        print('%12d %8d  %s' % (nb, count[h], h))
    print('\nbytes, referrer chain (first five):')
    for h, nb in chains.most_common(20):
        print('%12d  %s' % (nb, h))
    print('\nSecrets: bytes, copies, bytes per copy, name:')
    names, copies = collections.Counter(), collections.Counter()
    for sid, nb in secret.items():
        meta = field(sid, 'metadata')
        value = field(field(meta, 'name'), 'value') if meta else None
        k = re.sub(r'-[a-z0-9]{5}(?=-|$)', '-X', re.sub(r'\d+', 'N', small.get(value, '?')))
        names[k] += nb
        copies[k] += 1
    for k, nb in names.most_common(20):
        print('%12d %6d %8d  %s' % (nb, copies[k], nb // copies[k], k))


if __name__ == '__main__':
    main(sys.argv[1])
