// Starts GOV.UK Frontend components (Exit this page, error summary focus, menus).
// Pages work without this script; it only adds behaviour.
import { initAll } from "../dist/govuk-frontend.min.js";

initAll();
