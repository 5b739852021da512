// The project's program: its stack outputs are what supportLine returns.
import { supportLine } from "./supportLine";

export = supportLine();
