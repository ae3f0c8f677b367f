import { Button } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { ConfirmModal } from '../ui/ConfirmModal.js';
import { useSeal } from './queries.js';

/** Seals the keystore after a confirmation: every key operation stops until custodians unseal it again. */
export function SealButton() {
  const seal = useSeal();
  const [opened, modal] = useDisclosure(false);

  const close = () => {
    seal.reset();
    modal.close();
  };

  return (
    <>
      <Button color="red" variant="light" onClick={modal.open}>
        Seal
      </Button>
      <ConfirmModal
        opened={opened}
        title="Seal keystore"
        message="The master key is forgotten: every key operation fails until enough custodians present their shares again."
        confirmLabel="Seal"
        color="red"
        loading={seal.isPending}
        error={seal.error}
        onConfirm={() => seal.mutate(undefined, { onSuccess: close })}
        onClose={close}
      />
    </>
  );
}
