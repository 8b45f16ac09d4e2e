import { expect, test } from 'vitest';
import { cutLongRuns } from '../src/validation/backplan-document-validator.js';

test('a diagnostic quoting a megabyte of text is cut to 200 characters and says how long it was', () => {
    const message = `Data folder "${'x'.repeat(1 << 20)}" of server 'Big' is not absolute.`;
    const cut = cutLongRuns(message);
    expect(cut).toBe(`Data folder "${'x'.repeat(199)}… (1048578 characters) of server 'Big' is not absolute.`);
    expect(cutLongRuns('short message')).toBe('short message');
});
