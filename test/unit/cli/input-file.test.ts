import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputFileError } from '../../../lib/cli/errors.ts';
import {
  detectFormat,
  InvalidCustomerError,
  parseCsvRows,
  parseJsonlRows,
  readCustomerJson,
  readImportFile,
} from '../../../lib/cli/input-file.ts';

const HEADER =
  'reference,kind,givenName,familyName,companyName,email,phone,documentType,documentNumber,locale';

describe('parseCsvRows', () => {
  it('maps every column to its CustomerInput field', () => {
    const rows = parseCsvRows(
      `${HEADER}\nref-1,individual,Ana,Gómez,,ana@example.com,+573013111111,CC,1020304050,es_CO\n`,
    );
    expect(rows).toEqual([
      {
        row: 1,
        line: 2,
        ok: true,
        input: {
          reference: 'ref-1',
          kind: 'individual',
          givenName: 'Ana',
          familyName: 'Gómez',
          email: 'ana@example.com',
          phone: '+573013111111',
          document: { type: 'cc', number: '1020304050' },
          locale: 'es_CO',
        },
      },
    ]);
  });

  it('treats empty cells as absent, defaults kind, and accepts a subset of columns in any order', () => {
    const rows = parseCsvRows('companyName,reference,kind\nAcme Ltd,ref-2,company\n,ref-3,\n');
    expect(rows.map((row) => (row.ok ? row.input : null))).toEqual([
      { reference: 'ref-2', kind: 'company', companyName: 'Acme Ltd' },
      { reference: 'ref-3', kind: 'individual' },
    ]);
  });

  it('turns metadata.<key> columns into metadata', () => {
    const [row] = parseCsvRows('reference,metadata.segment\nref-4,vip\n');
    expect(row?.ok && row.input.metadata).toEqual({ segment: 'vip' });
  });

  it('reports bad rows by number and field name, never by value', () => {
    const rows = parseCsvRows(`reference,email,phone\nok-1,,\nbad-1,not-an-email,12345\n,,\n`);
    expect(rows[0]?.ok).toBe(true);
    const bad = rows[1];
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok) {
      expect(bad.row).toBe(2);
      expect(bad.line).toBe(3);
      expect(bad.issues.map((issue) => issue.field).sort()).toEqual(['email', 'phone']);
      expect(JSON.stringify(bad.issues)).not.toContain('not-an-email');
      expect(JSON.stringify(bad.issues)).not.toContain('12345');
    }
    const missing = rows[2];
    expect(missing && !missing.ok && missing.issues.map((issue) => issue.field)).toEqual(['reference']);
  });

  it('names the missing half of a document', () => {
    const [row] = parseCsvRows('reference,documentType\nref-5,cc\n');
    expect(row && !row.ok && row.issues.map((issue) => issue.field)).toEqual(['document.number']);
  });

  it('reports a row with the wrong number of fields instead of failing the file', () => {
    const rows = parseCsvRows('reference,email\nref-6\nref-7,a@example.com\n');
    expect(rows[0]?.ok).toBe(false);
    expect(rows[1]?.ok).toBe(true);
  });

  it('counts lines across quoted multi-line fields', () => {
    const rows = parseCsvRows('reference,companyName\n"ref-8","Acme\nLtd"\nref-9,Beta\n');
    expect(rows.map((row) => [row.row, row.line])).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('rejects unknown and duplicate columns for the whole file', () => {
    expect(() => parseCsvRows('reference,emial\nr,x\n')).toThrow(/unknown CSV column\(s\): emial/);
    expect(() => parseCsvRows('reference,email,email\nr,x,y\n')).toThrow(/duplicate CSV column/);
    expect(() => parseCsvRows('email\nx@example.com\n')).toThrow(/no reference column/);
  });

  it('reports malformed CSV without quoting it', () => {
    try {
      parseCsvRows('reference,email\n"secret-ref,x\n');
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(InputFileError);
      expect((error as Error).message).not.toContain('secret-ref');
    }
  });
});

describe('parseJsonlRows', () => {
  it('parses one customer per line, skipping blank lines but counting them', () => {
    const rows = parseJsonlRows(
      '{"reference":"a"}\n\n{"reference":"b","kind":"company","companyName":"B"}\n',
    );
    expect(rows.map((row) => [row.row, row.line, row.ok])).toEqual([
      [1, 1, true],
      [2, 3, true],
    ]);
  });

  it('reports invalid JSON and invalid customers per line', () => {
    const rows = parseJsonlRows('{"reference":\n{"reference":"x","email":"nope","extra":1}\n');
    expect(rows[0] && !rows[0].ok && rows[0].issues).toEqual([{ field: '(row)', message: 'not valid JSON' }]);
    const second = rows[1];
    expect(second && !second.ok && second.issues.map((issue) => issue.field).sort()).toEqual([
      '(row)',
      'email',
    ]);
    expect(JSON.stringify(second)).not.toContain('nope');
  });
});

describe('detectFormat', () => {
  it('knows csv, jsonl and ndjson, case-insensitively', () => {
    expect(detectFormat('a.CSV')).toBe('csv');
    expect(detectFormat('a.jsonl')).toBe('jsonl');
    expect(detectFormat('a.ndjson')).toBe('jsonl');
    expect(() => detectFormat('a.xlsx')).toThrow(InputFileError);
  });
});

describe('readCustomerJson and readImportFile', () => {
  it('reads files from disk and names invalid fields', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-input-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    const csv = join(dir, 'c.csv');
    await writeFile(good, JSON.stringify({ reference: 'r-1', givenName: 'Ana' }));
    await writeFile(bad, JSON.stringify({ reference: 'r-1', email: 'private-value' }));
    await writeFile(csv, 'reference\nr-1\nr-2\n');
    await expect(readCustomerJson(good)).resolves.toEqual({
      reference: 'r-1',
      kind: 'individual',
      givenName: 'Ana',
    });
    await expect(readCustomerJson(bad)).rejects.toBeInstanceOf(InvalidCustomerError);
    await expect(readCustomerJson(bad)).rejects.toThrow(/\(email\)/);
    await expect(readCustomerJson(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    await expect(readImportFile(csv)).resolves.toHaveLength(2);
  });
});
