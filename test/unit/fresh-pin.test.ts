import { freshPin } from '../../lib/access-codes/assign-pin';
import { isWeakPin, pinViolation } from '../../lib/devices/code-constraints';
import type { DeviceRecord } from '../../lib/devices/schemas';
import type { AccessCodeRepository } from '../../lib/ports';
import { buildSandboxDevices } from '../../lib/providers/sandbox';

let n = 0;
const devices = buildSandboxDevices('11111111-1111-4111-8111-111111111111', () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, new Date());
const lock = (type: string, lengths?: number[]): DeviceRecord => {
  const found = devices.find((r) => r.device.device_type === type);
  if (!found) throw new Error(type);
  return lengths === undefined ? found : { ...found, device: { ...found.device, properties: { ...found.device.properties, supported_code_lengths: lengths } } };
};
const every4 = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));

/** A store whose lock holds `held`, counting how it is asked. */
function store(held: readonly string[]) {
  const heldSet = new Set(held);
  const asked = { pinsHeld: 0, pinsAsked: 0, listPins: 0 };
  const accessCodes: Pick<AccessCodeRepository, 'pinsHeld' | 'listPins'> = {
    pinsHeld: async (_ws, _device, pins) => {
      asked.pinsHeld++;
      asked.pinsAsked += pins.length;
      return new Set(pins.filter((p) => heldSet.has(p)));
    },
    listPins: async () => {
      asked.listPins++;
      return [...held];
    },
  };
  return { deps: { accessCodes: accessCodes as AccessCodeRepository }, asked };
}

describe('freshPin', () => {
  it('checks a drawn PIN against its own claim, without listing the PINs of the lock', async () => {
    const { deps, asked } = store(every4.slice(0, 3000));
    const schlage = lock('schlage_lock');
    for (let i = 0; i < 50; i++) {
      const pin = await freshPin(deps, schlage);
      expect(pinViolation(schlage.device, pin)).toBeUndefined();
      expect(isWeakPin(pin)).toBe(false);
      expect(Number(pin)).toBeGreaterThanOrEqual(3000);
    }
    expect(asked.listPins).toBe(0);
    // One PIN asked at a time unless it was held (about 3 in 10 are here).
    expect(asked.pinsAsked).toBeLessThan(50 * 8);
  });

  it('gives a PIN of the next length, without listing, once the first length is so full that draws keep hitting held ones', async () => {
    const { deps, asked } = store(every4);
    const pin = await freshPin(deps, lock('schlage_lock', [4, 6]));
    expect(pin).toHaveLength(6);
    expect(asked.listPins).toBe(0);
  });

  it('walks every held PIN of a lock so full that draws keep hitting held ones, and finds the one left', async () => {
    const left = every4.filter((p) => !isWeakPin(p))[4321] ?? '';
    const { deps, asked } = store(every4.filter((p) => p !== left));
    expect(await freshPin(deps, lock('schlage_lock', [4]))).toBe(left);
    expect(asked.listPins).toBe(1);
  });

  it('says when no PIN is left', async () => {
    const { deps } = store(every4);
    await expect(freshPin(deps, lock('schlage_lock', [4]))).rejects.toMatchObject({ type: 'no_space_for_access_code_on_device' });
  });

  it("lists the lock's PINs where they must differ in their first four digits", async () => {
    const kwikset = lock('kwikset_lock');
    const unique = { ...kwikset, device: { ...kwikset.device, properties: { ...kwikset.device.properties, code_constraints: [{ constraint_type: 'unique_first_four_digits' as const }] } } };
    const { deps, asked } = store([]);
    await freshPin(deps, unique);
    expect(asked).toMatchObject({ pinsHeld: 0, listPins: 1 });
  });
});
