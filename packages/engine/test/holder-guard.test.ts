/**
 * The run-time guard of `parallel N`: never stop the last running holder of a folder
 * while another holder of it is down.
 */
import { describe, expect, it } from 'vitest';
import { selectBackups } from '../src/plan/backup-plan.js';
import { planSteps } from '../src/plan/backup-plan.js';
import { renderPlanText } from '../src/plan/plan-render.js';
import { blockingFolder, nextStoppable, parallelWaves } from '../src/plan/holder-guard.js';
import { modelOf } from './model-support.js';

const RUNBOOK = `
tape T { at "/mnt/t" }
server Mail1 { role mail host local data "/srv/mail" stop "x" start "y" }
server Cat1 { role catalog master host local data "/srv/c1" stop "x" start "y" }
server Cat2 { role catalog host local data "/srv/c2" stop "x" start "y" }
server Cat3 { role catalog host local data "/srv/c3" stop "x" start "y" }
server Cat4 { role catalog host local data "/srv/c4" stop "x" start "y" }
folder A on Cat1, Cat2
folder B on Cat1, Cat2, Cat3
folder Solo on Cat4
backup Nightly { servers Mail1, Cat1, Cat2, Cat3, Cat4 to T parallel 5 }
`;

async function queue(): Promise<ReturnType<typeof selectBackups>[number]['servers']> {
    const { model } = await modelOf(RUNBOOK);
    return selectBackups(model, {})[0].servers;
}

describe('holder guard', () => {
    it('blocks a server whose folder would lose its last running holder, and names the folder', async () => {
        const q = await queue();
        const cat2 = q.find(s => s.server.name === 'Cat2')!;
        expect(blockingFolder('Cat2', cat2.folders, new Set())).toBeUndefined();
        expect(blockingFolder('Cat2', cat2.folders, new Set(['Cat1']))).toEqual({ folder: 'A', down: ['Cat1'] });
        // B still has Cat3 running, but A has no other holder: blocked.
        expect(blockingFolder('Cat2', cat2.folders, new Set(['Cat1', 'Mail1']))).toMatchObject({ folder: 'A' });
        const cat3 = q.find(s => s.server.name === 'Cat3')!;
        expect(blockingFolder('Cat3', cat3.folders, new Set(['Cat1']))).toBeUndefined();
        expect(blockingFolder('Cat3', cat3.folders, new Set(['Cat1', 'Cat2']))).toEqual({ folder: 'B', down: ['Cat1', 'Cat2'] });
    });

    it('a folder on one server only, and a mail server, never block', async () => {
        const q = await queue();
        const cat4 = q.find(s => s.server.name === 'Cat4')!;
        expect(blockingFolder('Cat4', cat4.folders, new Set(['Cat1', 'Cat2', 'Cat3']))).toBeUndefined();
        expect(blockingFolder('Mail1', [], new Set(['Cat1', 'Cat2', 'Cat3', 'Cat4']))).toBeUndefined();
    });

    it('fills the slots in plan order, skipping the blocked ones', async () => {
        const q = await queue();
        const down = new Set<string>();
        const order: string[] = [];
        const rest = [...q];
        for (;;) {
            const i = nextStoppable(rest, down);
            if (i < 0) break;
            const [sp] = rest.splice(i, 1);
            down.add(sp.server.name);
            order.push(sp.server.name);
        }
        // Cat2 waits for Cat1 (folder A); Cat3 may go (folder B keeps Cat2 running).
        expect(order).toEqual(['Mail1', 'Cat1', 'Cat3', 'Cat4']);
        expect(rest.map(s => s.server.name)).toEqual(['Cat2']);
        down.delete('Cat1');
        // Cat1 is back: A and B each keep Cat1 running, so Cat2 may go though Cat3 is down.
        expect(nextStoppable(rest, down)).toBe(0);
    });

    it('--dry-run batches follow the rule: parallel 5 over holders of shared folders takes waves, and says who waits for whom', async () => {
        const q = await queue();
        const waves = parallelWaves(q, 5).map(w => [w.item.server.name, w.wave, w.waited?.folder]);
        // Wave 1: Mail1, Cat1, Cat3 (B keeps Cat2 running), Cat4; Cat2 would take A offline beside Cat1.
        expect(waves).toEqual([['Mail1', 1, undefined], ['Cat1', 1, undefined], ['Cat3', 1, undefined], ['Cat4', 1, undefined], ['Cat2', 2, 'A']]);
        const { model } = await modelOf(RUNBOOK);
        const items = selectBackups(model, {});
        const text = renderPlanText({ items, steps: planSteps(items) });
        expect(text).toMatch(/Cat2: stop the application: x \[batch 2: waits while Cat1, the other holder of A, is stopped\]/);
        expect(text).toMatch(/parallel 5: up to 5 servers at once, never the last running holder of a folder/);
        // Two other holders, both stopped: the plural wording.
        const { model: people } = await modelOf(`
tape T { at "/mnt/t" }
server X { role catalog host local data "/srv/x" stop "x" start "y" }
server Y { role catalog host local data "/srv/y" stop "x" start "y" }
server Z { role catalog host local data "/srv/z" stop "x" start "y" }
folder People on X, Y, Z
backup B { servers X, Y, Z to T parallel 3 }
`);
        const peopleItems = selectBackups(people, {});
        expect(renderPlanText({ items: peopleItems, steps: planSteps(peopleItems) }))
            .toMatch(/Z: stop the application: x \[batch 2: waits while X and Y, the other holders of People, are stopped\]/);
        // parallel 2: two at a time; no server is ever planned beside the other holders of its folder.
        const two = parallelWaves(q, 2);
        for (let wave = 1; wave <= Math.max(...two.map(w => w.wave)); wave++) {
            const inWave = two.filter(w => w.wave === wave);
            expect(inWave.length).toBeLessThanOrEqual(2);
            const down = new Set<string>();
            for (const w of inWave) {
                expect(blockingFolder(w.item.server.name, w.item.folders, down)).toBeUndefined();
                down.add(w.item.server.name);
            }
        }
        expect(two.map(w => w.item.server.name).sort()).toEqual(['Cat1', 'Cat2', 'Cat3', 'Cat4', 'Mail1']);
        // A server passed over for a later one in a wave that then filled up still says why.
        const skipped = parallelWaves(q.filter(sp => ['Cat1', 'Cat2', 'Cat4'].includes(sp.server.name)), 2);
        expect(skipped.map(w => [w.item.server.name, w.wave, w.waited?.folder])).toEqual([['Cat1', 1, undefined], ['Cat4', 1, undefined], ['Cat2', 2, 'A']]);
    });
});
