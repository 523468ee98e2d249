/**
 * "This slice already has <segment>" prompt, through OHIF's per-viewport dialog service (no React
 * needed). Resolves with the answer; clicking outside or Escape counts as Cancel.
 */
import type { ConfirmAnswer } from '../labelmap/decision';
import type { ServicesLike } from '../host/types';
import { DOM_IDS } from '../id';

export function askReplaceOrAdd(
  services: ServicesLike,
  viewportId: string,
  segmentLabel: string,
): Promise<ConfirmAnswer> {
  const dialog = services.uiViewportDialogService;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: ConfirmAnswer) => {
      if (settled) return;
      settled = true;
      dialog.hide();
      resolve(answer);
    };
    dialog.show({
      viewportId,
      id: 'sam2-confirm',
      type: 'warning',
      message: `"${segmentLabel}" already has voxels on this slice. Replace them with the SAM2 result, add the result to them, or cancel?`,
      actions: [
        { id: DOM_IDS.confirmCancel, type: 'secondary', text: 'Cancel', value: 'cancel' },
        { id: DOM_IDS.confirmAdd, type: 'secondary', text: 'Add', value: 'add' },
        { id: DOM_IDS.confirmReplace, type: 'primary', text: 'Replace', value: 'replace' },
      ],
      onSubmit: (value) => finish(value === 'replace' || value === 'add' ? value : 'cancel'),
      onOutsideClick: () => finish('cancel'),
      onKeyPress: (event) => {
        if (event.key === 'Escape') finish('cancel');
      },
    });
  });
}
