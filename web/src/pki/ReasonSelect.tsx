import { NativeSelect } from '@mantine/core';
import { isRevocationReason, REVOCATION_REASONS } from './pki-terms.js';
import type { RevocationReason } from './types.js';

interface Props {
  reasons: readonly RevocationReason[];
  value: RevocationReason;
  onChange: (reason: RevocationReason) => void;
}

/** An RFC 5280 revocation reason, with what it means under the list. */
export function ReasonSelect({ reasons, value, onChange }: Props) {
  return (
    <NativeSelect
      label="Reason"
      description={REVOCATION_REASONS[value]}
      data={[...reasons]}
      value={value}
      onChange={(event) => {
        const next = event.currentTarget.value;
        if (isRevocationReason(next)) onChange(next);
      }}
    />
  );
}
