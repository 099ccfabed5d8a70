// Start the console once every view has registered its routes.
'use strict';
ConsoleApp.start();
