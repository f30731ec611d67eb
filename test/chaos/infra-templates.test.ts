/**
 * The template checks of test/reliability/infra-templates.test.ts for the other deployable stages.
 */
import { countScenario } from '../helpers/reliability/counters.ts';
import { describeChaos } from '../helpers/reliability/suite.ts';
import { templateSecurityTests } from '../helpers/reliability/templates.ts';

describeChaos('infra templates (every other stage)', () => {
  templateSecurityTests(['dev', 'staging'], countScenario);
});
