#!/usr/bin/env node
import '../dist/toolbox.js';
