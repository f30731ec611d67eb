import { createLogger } from '../../../lib/observability/logger.ts';

const SECRETS = {
  email: 'pepito.perez@gmail.com',
  phone: '+573013111111',
  nationalPhone: '3013111111',
  documentNumber: '1037551022',
  apiKey: 'sk_sandbox_4f9a2c7e1b',
  password: 'SecurePass123!',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZWxvcyJ9.c2lnbmF0dXJl',
  name: 'Pepito',
};

/** Everything the logger writes, read from the real streams its Console writes to. */
function captureOutput(run: () => void): string {
  const chunks: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    run();
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  return chunks.join('');
}

function parseLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

function expectNoSecrets(output: string): void {
  for (const [kind, secret] of Object.entries(SECRETS)) {
    expect([kind, output.includes(secret)]).toEqual([kind, false]);
  }
}

describe('createLogger', () => {
  it('prints no PII or secrets from attributes, message, extra objects or errors', () => {
    const logger = createLogger('customer-sync-test', {
      level: 'DEBUG',
      persistentKeys: { provider: 'palomma', merchantEmail: SECRETS.email },
    });
    const output = captureOutput(() => {
      logger.info(
        {
          message: `created ${SECRETS.email} ${SECRETS.phone} doc ${SECRETS.documentNumber} with Bearer ${SECRETS.bearer}`,
          customerId: '01HPR57X6QR5ZRKEEKBSDBW4RA',
          email: SECRETS.email,
          phoneNumber: SECRETS.nationalPhone,
          documentNumber: SECRETS.documentNumber,
          apiKey: SECRETS.apiKey,
          password: SECRETS.password,
          headers: { Authorization: `Bearer ${SECRETS.bearer}` },
          customer: { name: SECRETS.name, lastname: 'Perez' },
        },
        { request: { body: `{"login":"${SECRETS.email}","password":"${SECRETS.password}"}` } },
      );
      logger.warn('retrying', `login with password=${SECRETS.password}`);
      logger.error(
        'provider call failed',
        new Error(`rejected ${SECRETS.email} / ${SECRETS.nationalPhone}`, {
          cause: new Error(`Authorization: Bearer ${SECRETS.bearer}`),
        }),
      );
      logger.debug(`apiKey=${SECRETS.apiKey} password: ${SECRETS.password}`);
    });

    expectNoSecrets(output);
    const [info, warn, error, debug] = parseLines(output);
    expect(info).toMatchObject({
      level: 'INFO',
      service: 'customer-sync-test',
      provider: 'palomma',
      merchantEmail: '[redacted]',
      customerId: '01HPR57X6QR5ZRKEEKBSDBW4RA',
      email: '[redacted]',
      password: '[redacted]',
      customer: { name: '[redacted]', lastname: '[redacted]' },
    });
    expect(info?.message).toBe('created [redacted] [redacted] doc [redacted] with Bearer [redacted]');
    expect(warn).toMatchObject({ level: 'WARN', extra: 'login with password=[redacted]' });
    expect(error).toMatchObject({
      level: 'ERROR',
      error: { name: 'Error', message: 'rejected [redacted] / [redacted]' },
    });
    expect(debug?.level).toBe('DEBUG');
  });

  it('keeps redacting in child loggers and appended keys', () => {
    const logger = createLogger('customer-sync-test');
    const child = logger.createChild({ persistentKeys: { token: SECRETS.bearer } });
    child.appendKeys({ phone: SECRETS.phone });
    const output = captureOutput(() => child.warn('refresh failed', { email: SECRETS.email }));
    expectNoSecrets(output);
    expect(parseLines(output)[0]).toMatchObject({
      token: '[redacted]',
      phone: '[redacted]',
      email: '[redacted]',
    });
  });

  it('honours the log level', () => {
    const logger = createLogger('customer-sync-test', { level: 'WARN' });
    const output = captureOutput(() => {
      logger.info('quiet');
      logger.warn('loud');
    });
    expect(parseLines(output).map((line) => line.message)).toEqual(['loud']);
  });
});
