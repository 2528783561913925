/* The list of modules. A module adds its folder and one line here. */
#include "server/router.h"

extern const module system_module;
extern const module registry_module;
extern const module volunteers_module;
extern const module fund_module;
extern const module wishes_module;
extern const module grants_module;

const module *const modules[] = {
    &system_module,
    &registry_module,
    &volunteers_module,
    &fund_module,
    &wishes_module,
    &grants_module,
};
const int module_count = sizeof modules / sizeof modules[0];
