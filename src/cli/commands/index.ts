import { Command } from '../command';
import { alerts } from './alerts';
import { allow } from './allow';
import { audit } from './audit';
import { build } from './build';
import { cleanup } from './cleanup';
import { create } from './create';
import { doctor } from './doctor';
import { engines } from './engines';
import { exec } from './exec';
import { images } from './images';
import { inspect } from './inspect';
import { lifecycle } from './lifecycle';
import { list } from './list';
import { mcp } from './mcp';
import { pull } from './pull';
import { rm } from './rm';
import { stats } from './stats';
import { apply, diff, discard } from './review';
import { unfreeze } from './unfreeze';

/** Every verb of aicli-ws, in the order of the usage text. */
export const commands: Command[] = [
  doctor,
  create,
  list,
  inspect,
  lifecycle,
  unfreeze,
  rm,
  allow,
  exec,
  diff,
  apply,
  discard,
  alerts,
  stats,
  audit,
  mcp,
  build,
  engines,
  pull,
  images,
  cleanup,
];
