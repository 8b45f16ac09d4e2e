/**
 * `status --textfile DIR`: the Prometheus text written for node_exporter's textfile
 * collector as `DIR/backplan-<runbook>.prom`, atomically:
 *
 *   durableWrite (tape/durable-write.ts): DIR/.tmp-NAME-PID-RAND → fsync → rename → fsync DIR
 *
 * The collector reads only `*.prom` files, so it never sees the temporary file, and a
 * scrape during the write reads the previous complete file. Interruption: at most a
 * `.tmp-…` file in DIR, which the collector ignores.
 */
import * as path from 'node:path';
import { durableWrite } from '../tape/durable-write.js';

/** The file name of a runbook's metrics in a textfile folder. */
export function textfileName(runbook: string): string {
    return `backplan-${runbook}.prom`;
}

/** Writes the metrics text of a runbook into DIR atomically; resolves with the file's path. */
export async function writeTextfile(dir: string, runbook: string, text: string): Promise<string> {
    const name = textfileName(runbook);
    await durableWrite(dir, name, text);
    return path.join(dir, name);
}
