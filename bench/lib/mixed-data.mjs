/**
 * The benchmarks' ~1 GB server: mail-like small files and large catalog-like files,
 * deterministic except the incompressible part (random bytes), so that a tar | zstd of it
 * does the work a real mail or directory server's data makes it do.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the data of a size lives (bench/.work, git-ignored). */
export function mixedDataDir(repo, sizeMb) {
    return path.join(repo, 'bench', '.work', `mixed-data-${sizeMb}`);
}

/** Fills DATA (once: a `.complete` marker says it is done) with ~sizeMb of mixed data: 20% many small text files, 30% compressible large files, 50% incompressible large files. */
export function makeMixedData(data, sizeMb) {
    if (fs.existsSync(path.join(data, '.complete'))) return;
    fs.rmSync(data, { recursive: true, force: true });
    const total = sizeMb * 1024 * 1024;
    let seed = 1;
    const words = ['mail', 'catalog', 'folder', 'engineering', 'sales', 'backup', 'restore', 'server', 'replica', 'tape', 'message', 'From:', 'Subject:', 'Received:'];
    const text = n => {
        const parts = [];
        let len = 0;
        while (len < n) { seed = (seed * 1103515245 + 12345) >>> 0; const w = words[seed % words.length] + (seed % 97); parts.push(w); len += w.length + 1; }
        return parts.join(' ').slice(0, n);
    };
    let small = 0;
    for (let i = 0; small < total * 0.2; i++) {
        const dir = path.join(data, 'mail', `box-${i % 50}`, `cur-${Math.floor(i / 50) % 20}`);
        fs.mkdirSync(dir, { recursive: true });
        const size = 1024 + ((i * 7919) % 15360);
        fs.writeFileSync(path.join(dir, `msg-${i}.eml`), text(size));
        small += size;
    }
    fs.mkdirSync(path.join(data, 'large'), { recursive: true });
    const chunk = 8 * 1024 * 1024;
    const compressible = Buffer.from(text(chunk));
    for (let i = 0, made = 0; made < total * 0.3; i++) {
        const fd = fs.openSync(path.join(data, 'large', `catalog-${i}.db`), 'w');
        for (let j = 0; j < 16 && made < total * 0.3; j++, made += chunk) { compressible[j] = i & 0xff; fs.writeSync(fd, compressible); }
        fs.closeSync(fd);
    }
    for (let i = 0, made = 0; made < total * 0.5; i++) {
        const fd = fs.openSync(path.join(data, 'large', `attachments-${i}.bin`), 'w');
        for (let j = 0; j < 16 && made < total * 0.5; j++, made += chunk) fs.writeSync(fd, randomBytes(chunk));
        fs.closeSync(fd);
    }
    fs.writeFileSync(path.join(data, '.complete'), '');
}
