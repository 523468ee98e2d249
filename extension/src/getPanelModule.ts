/** OHIF panel module: the body-composition measurements panel (SAM2 mode, right-hand side). */
import type { Sam2Controller } from './controller';
import { PANEL_NAME } from './id';
import { createBodyCompositionPanel } from './panels/BodyCompositionPanel';

export function getPanelModule(controller: Sam2Controller) {
  return [
    {
      name: PANEL_NAME,
      iconName: 'tab-linear',
      iconLabel: 'Body comp.',
      label: 'Body composition',
      component: createBodyCompositionPanel(
        controller.bodyComposition,
        () => controller.libs(),
        () => controller.servicesForPanels,
      ),
    },
  ];
}
