/**
 * Operation counting for the near-linearity tests: a deep proxy that counts every property
 * read (array elements included) of the objects it wraps, keeping object identity, and a
 * generator of synthetic runbook ASTs of a given size. No clocks: counts only.
 */
import { URI } from 'langium';
import type { Document } from '@backplan/language';

/** Counts reads through the proxies it hands out. */
export class ReadCounter {
    reads = 0;
    private readonly proxies = new WeakMap<object, object>();
    private readonly targets = new WeakMap<object, object>();

    /** A proxy of `value` whose reads (and those of everything reached through it) count. */
    wrap<T>(value: T): T {
        if (value === null || typeof value !== 'object' || value instanceof Set) return value;
        const target = value as object;
        let proxy = this.proxies.get(target);
        if (!proxy) {
            proxy = new Proxy(target, {
                get: (t, key, receiver) => {
                    this.reads++;
                    return t instanceof Map ? this.mapMember(t, key) : this.wrap(Reflect.get(t, key, receiver));
                }
            });
            this.proxies.set(target, proxy);
            this.targets.set(proxy, target);
        }
        return proxy as T;
    }

    /** A Map's members: keys are looked up unwrapped, values come back wrapped. */
    private mapMember(map: Map<unknown, unknown>, key: string | symbol): unknown {
        const unwrap = (k: unknown) => (k !== null && typeof k === 'object' && this.targets.get(k)) || k;
        switch (key) {
            case 'get': return (k: unknown) => this.wrap(map.get(unwrap(k)));
            case 'has': return (k: unknown) => map.has(unwrap(k));
            case 'size': return map.size;
            case 'values': return () => [...map.values()].map(v => this.wrap(v))[Symbol.iterator]();
            default: throw new Error(`ReadCounter: Map member ${String(key)} is not counted`);
        }
    }
}

/**
 * A runbook AST of `n` folders, as the parser would build it: n/20 catalog servers on one
 * host, each folder on two neighbouring servers, n/100 backups of ten servers each with
 * `parallel 2`, one off-site tape, `require offsite`.
 */
export function syntheticRunbook(n: number): Array<{ uri: URI; ast: Document }> {
    const serverCount = n / 20;
    const servers = Array.from({ length: serverCount }, (_, i) => ({
        $type: 'Server', name: `S${i}`,
        role: [{ $type: 'Role', kind: 'catalog', master: false }],
        host: [{ $type: 'Host', local: true }],
        data: [`/srv/s${i}`], stop: ['stop'], start: ['start'], timeout: [],
        snapshot: [], dump: [], load: [], exclude: [], ready: []
    }));
    const tape = { $type: 'Tape', name: 'T', at: ['/mnt/t'], offsite: ['offsite'], restic: [], passwordFile: [], keyFile: [], keep: [] };
    const ref = (node: { name: string }) => ({ ref: node, $refText: node.name });
    const folders = Array.from({ length: n }, (_, i) => ({
        $type: 'Folder', name: `F${i}`, path: [],
        servers: [ref(servers[i % serverCount]), ref(servers[(i + 1) % serverCount])]
    }));
    const backups = Array.from({ length: n / 100 }, (_, b) => ({
        $type: 'Backup', name: `B${b}`, schedule: [], staleAfter: [],
        servers: [{ $type: 'ServerList', refs: Array.from({ length: 10 }, (_, k) => ref(servers[(b * 10 + k) % serverCount])) }],
        to: [ref(tape)],
        mode: [{ $type: 'Concurrency', rolling: false, parallel: 2 }]
    }));
    const ast = {
        $type: 'Document', imports: [],
        headers: [{ $type: 'RunbookHeader', title: 'Synthetic', requires: [{ $type: 'Requirement', what: 'offsite' }] }],
        declarations: [tape, ...servers, ...folders, ...backups]
    } as unknown as Document;
    return [{ uri: URI.parse('file:///synthetic.backplan'), ast }];
}
