<?php
// Written by `dev-wiki readonly on`; `dev-wiki readonly off` deletes it.
$wgReadOnly = '@@reason';
