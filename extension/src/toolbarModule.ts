/** Toolbar evaluators: they turn viewer state into each button's enabled/disabled/active state. */
import { evaluateContext, evaluateOneClick } from './availability/evaluate';
import { getConfig } from './config';
import type { Sam2Controller } from './controller';
import { EVALUATORS } from './id';

export function getToolbarModule(controller: Sam2Controller) {
  return [
    {
      name: EVALUATORS.oneClick,
      evaluate: ({ viewportId }: { viewportId?: string }) => {
        const config = getConfig();
        if (config.enabled) controller.ensurePolling();
        const facts = controller.viewportFacts(viewportId);
        if (facts.hasViewport) controller.recheckImageSoon(facts.imageLoaded);
        return evaluateOneClick({
          config,
          availability: controller.availability,
          viewport: facts,
          busy: controller.busy,
          toolActive: facts.toolActive,
        });
      },
    },
    {
      name: EVALUATORS.context,
      evaluate: ({ contextId }: { contextId?: string }) =>
        evaluateContext({ config: getConfig(), selected: controller.contextId === contextId }),
    },
  ];
}
