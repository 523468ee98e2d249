/** OHIF panel module: the body-composition measurements panel (SAM2 mode, right-hand side). */
import type { Sam2Controller } from './controller';
import type { CommandsManagerLike, ExtensionManagerLike } from './host/types';
import type { DataSourceLike } from './sr/storeReport';
import { PANEL_NAME } from './id';
import { createBodyCompositionPanel } from './panels/BodyCompositionPanel';

/** OHIF's ExtensionManager: the data source the study was opened from, and its definition. */
type WithDataSource = ExtensionManagerLike & {
  getActiveDataSource?(): DataSourceLike[];
  getActiveDataSourceDefinition?(): { namespace?: string } | undefined;
};

export function getPanelModule(
  controller: Sam2Controller,
  host: { commandsManager: CommandsManagerLike; extensionManager: ExtensionManagerLike },
) {
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
        {
          commandsManager: host.commandsManager,
          dataSource: () =>
            (host.extensionManager as WithDataSource).getActiveDataSource?.()?.[0] ?? undefined,
          dataSourceNamespace: () =>
            (host.extensionManager as WithDataSource).getActiveDataSourceDefinition?.()?.namespace,
        },
      ),
    },
  ];
}
