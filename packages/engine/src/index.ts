/**
 * @backplan/engine: planner and runner. Folders by concern:
 *   hosts/     the host interface (run, tar out/in, list files, tools) and `local`
 *   archive/   tar | zstd streaming, manifests, the tar reader, verification
 *   tape/      the tape store: archive IDs, durable writes, listing, lock
 *   journal/   append-only run journal in the state folder, recovery of killed runs
 *   plan/      pure planning, dry-run rendering, which diagnostics refuse which verb
 *   kernel/    the run kernel: session, quiesce, steps, the guardian of a run
 *   run/       the backup runner
 *   retention/ restic-style `keep` selection
 *   restic/    restic tapes: restic's CLI on a server's host, snapshots and their manifests
 *   progress/  live progress lines
 *   schedule/  `backplan schedule`: systemd timers and cron files for scheduled blocks
 *   picture/   the runbook's topology, backup window and history as data, SVG, DOT and Mermaid
 *   status/    `status`: last runs, staleness and Prometheus metrics from the journal and tapes
 *   notify/    `notify` blocks: webhook, healthchecks pings, commands; stale episodes
 *   drill/     `backplan drill`: restore drills into scratch, verified and tested
 */
export * from './hosts/host.js';
export * from './hosts/local-host.js';
export * from './hosts/tar-options.js';
export * from './hosts/child-process.js';
export * from './archive/manifest.js';
export * from './archive/tar-scanner.js';
export * from './archiver/compression.js';
export * from './archiver/archive-writer.js';
export * from './archiver/archive-verifier.js';
export * from './tape/durable-write.js';
export * from './tape/archive-id.js';
export * from './tape/tape-store.js';
export * from './tape/tape-lock.js';
export * from './tape/manifest-mac.js';
export * from './hosts/open-host.js';
export * from './journal/state-dir.js';
export * from './journal/journal-record.js';
export * from './journal/journal.js';
export * from './journal/recovery.js';
export * from './kernel/guardian.js';
export * from './plan/refusal-codes.js';
export * from './plan/backup-plan.js';
export * from './plan/holder-guard.js';
export * from './plan/plan-render.js';
export * from './retention/keep-policy.js';
export * from './retention/prune.js';
export * from './retention/prune-run.js';
export * from './progress/progress-reporter.js';
export * from './run/preflight.js';
export * from './run/server-backup.js';
export * from './run/backup-runner.js';
export * from './run/verify-tapes.js';
export * from './hosts/ssh/index.js';
export * from './archive/entry-safety.js';
export * from './hosts/host-folders.js';
export * from './restore/archive-extract.js';
export * from './archiver/verify-restored.js';
export * from './restore/restore-context.js';
export * from './restore/restorer.js';
export * from './restore/restore-runner.js';
export * from './restore/replicator.js';
export * from './plan/restore-plan.js';
export * from './plan/recover-plan.js';
export * from './plan/restore-render.js';
export * from './schema/untrusted-file.js';
export * from './schema/json-schemas.js';
export * from './schedule/on-calendar.js';
export * from './schedule/scheduled-blocks.js';
export * from './schedule/schedule-marker.js';
export * from './schedule/unit-files.js';
export * from './schedule/cron-file.js';
export * from './schedule/schedule-target.js';
export * from './schedule/schedule-plan.js';
export * from './schedule/schedule-apply.js';
export * from './schedule/schedule-list.js';
export * from './restic/index.js';
export * from './picture/graph-model.js';
export * from './picture/graph-layout.js';
export * from './picture/svg-render.js';
export * from './picture/dot-render.js';
export * from './picture/mermaid-render.js';
export * from './picture/timeline-model.js';
export * from './picture/timeline-render.js';
export * from './picture/history-model.js';
export * from './picture/history-render.js';
export * from './picture/picture-painter.js';
export * from './status/staleness.js';
export * from './status/run-ledger.js';
export * from './status/run-targets.js';
export * from './status/tape-facts.js';
export * from './status/status-model.js';
export * from './status/status-tail.js';
export * from './status/prometheus-format.js';
export * from './status/textfile.js';
export * from './notify/notify-event.js';
export * from './notify/http-post.js';
export * from './notify/webhook.js';
export * from './notify/healthchecks.js';
export * from './notify/command-target.js';
export * from './notify/notifier.js';
export * from './notify/run-notifications.js';
export * from './notify/stale-episodes.js';
export * from './drill/drill-pick.js';
export * from './drill/drill-plan.js';
export * from './drill/drill-runner.js';
export * from './journal/restic-tape-store.js';
export * from './journal/restic-stale-locks.js';
export * from './run/restic-archive-step.js';
export * from './run/restic-places-prepare.js';
export * from './restore/restic-restore.js';
export * from './run/restic-verify.js';
export * from './retention/restic-prune.js';
export * from './journal/restic-catalog.js';
export * from './restore/restic-restore-check.js';
export * from './restore/manifest-prefetch.js';
