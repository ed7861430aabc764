#!/usr/bin/env node
import '../dist/host-update.js';
